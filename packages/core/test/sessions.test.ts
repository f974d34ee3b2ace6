import { createHash } from "node:crypto";
import { type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore } from "../src/index.js";
import { browse, CookieJar, entranceFor, startSignIn } from "./support/emulated.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

async function signedIn(options = {}) {
  const store = createMemoryStore();
  const entrance = entranceFor(emulator, store, options);
  const jar = new CookieJar();
  await browse(
    entrance,
    jar,
    await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com"),
  );
  const cookie = jar.get("entrance-session") ?? "";
  const idHash = createHash("sha256").update(cookie).digest("base64url");
  return { store, entrance, jar, idHash };
}

describe("sessions", () => {
  it("keep only the SHA-256 of the cookie in the store", async () => {
    const { store, jar, idHash } = await signedIn();
    expect(await store.sessions.get(idHash)).not.toBeNull();
    expect(await store.sessions.get(jar.get("entrance-session") ?? "")).toBeNull();
  });

  it("end after the idle timeout, and are removed", async () => {
    const { store, entrance, jar, idHash } = await signedIn({
      session: { idleTimeout: 60, cacheSeconds: 0 },
    });
    const session = await store.sessions.get(idHash);
    expect(session?.idleExpiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    await store.sessions.touch(idHash, new Date(Date.now() - 120_000), new Date(Date.now() - 1));
    expect(await entrance.getSession(jar.header)).toBeNull();
    expect(await store.sessions.get(idHash)).toBeNull();
  });

  it("end at the absolute timeout however active", async () => {
    const { store, entrance, jar, idHash } = await signedIn({ session: { cacheSeconds: 0 } });
    const session = await store.sessions.get(idHash);
    if (!session) throw new Error("no session");
    await store.sessions.delete(idHash);
    await store.sessions.create({ ...session, absoluteExpiresAt: new Date(Date.now() - 1) });
    expect(await entrance.getSession(jar.header)).toBeNull();
  });

  it("end when the user is disabled (read afresh with cacheSeconds: 0)", async () => {
    const { store, entrance, jar } = await signedIn({ session: { cacheSeconds: 0 } });
    const user = (await entrance.getSession(jar.header))?.user;
    if (!user) throw new Error("no user");
    await store.users.setDisabled(user.tenantId, user.objectId, true);
    expect(await entrance.getSession(jar.header)).toBeNull();
  });

  it("are cached in process for cacheSeconds, and forgotten at once when ended here", async () => {
    const { store, entrance, jar, idHash } = await signedIn({ session: { cacheSeconds: 60 } });
    expect(await entrance.getSession(jar.header)).not.toBeNull();
    // Ended elsewhere (another instance): this one still answers from its cache for a while.
    const session = await store.sessions.get(idHash);
    await store.sessions.delete(idHash);
    expect(await entrance.getSession(jar.header)).not.toBeNull();
    // Front-channel logout here forgets the cached session at once.
    if (session) await store.sessions.create(session);
    await entrance.handle(
      new Request(`http://localhost:3000/auth/frontchannel-logout?sid=${session?.sid}`),
    );
    expect(await entrance.getSession(jar.header)).toBeNull();
  });

  it("ignore a cookie that is not one of ours", async () => {
    const { entrance } = await signedIn();
    expect(await entrance.getSession("entrance-session=../../etc/passwd")).toBeNull();
    expect(await entrance.getSession(`entrance-session=${"a".repeat(5000)}`)).toBeNull();
    expect(await entrance.getSession(undefined)).toBeNull();
  });

  it("get a new id at each sign-in, ending the one before", async () => {
    const { store, entrance, jar, idHash } = await signedIn();
    await browse(
      entrance,
      jar,
      await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com"),
    );
    expect(await store.sessions.get(idHash)).toBeNull();
    expect(await entrance.getSession(jar.header)).not.toBeNull();
  });
});
