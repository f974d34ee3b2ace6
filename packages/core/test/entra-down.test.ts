/**
 * Security review of the fixes: pages must not wait on Entra. With Entra unreachable (a server that
 * accepts connections and never answers), the app's pages, the sign-out confirmation, sign-out
 * and the session lookup of a single-tenant app named by domain all answer at once — before, each
 * request waited for three 10 s metadata tries. The per-test timeout is below those 30 s.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEntrance, createMemoryStore, type EntranceOptions } from "../src/index.js";
import { APP_BASE, SECRET } from "./support/emulated.js";

let silent: Server;
const sockets = new Set<Socket>();
let authorityHost: string;

beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const address = silent.address();
  if (!address || typeof address === "string") throw new Error("no port");
  authorityHost = `https://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

function coreWith(overrides: Partial<EntranceOptions> = {}) {
  const store = createMemoryStore();
  const entrance = createEntrance({
    tenantId: "contoso.onmicrosoft.com",
    clientId: "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b",
    clientSecret: "not-used",
    authorityHost,
    baseUrl: APP_BASE,
    secrets: [SECRET],
    env: {},
    logger: { warn: () => {}, error: () => {} },
    store,
    ...overrides,
  });
  return { store, entrance };
}

/** A signed-in browser, written straight into the store (no sign-in can reach Entra). */
async function storedSession(store: ReturnType<typeof createMemoryStore>) {
  const cookie = randomBytes(32).toString("base64url");
  const now = Date.now();
  const user = {
    tenantId: "9e1d7c3b-5a4f-4e2d-8c1b-0a9f8e7d6c5b",
    objectId: "f3c2b1a0-9e8d-4c7b-a6f5-e4d3c2b1a098",
    displayName: "Lee Gu",
    username: "lee@contoso.onmicrosoft.com",
    mail: null,
    roles: ["Entrance.Admin"],
    groups: [],
    groupsOverage: false,
    firstSignInAt: new Date(now),
    lastSignInAt: new Date(now),
    disabled: false,
    resolvedGroups: null,
  };
  await store.users.upsert(user);
  await store.sessions.create({
    idHash: createHash("sha256").update(cookie).digest("base64url"),
    tenantId: user.tenantId,
    objectId: user.objectId,
    sid: null,
    createdAt: new Date(now),
    lastSeenAt: new Date(now),
    idleExpiresAt: new Date(now + 3_600_000),
    absoluteExpiresAt: new Date(now + 3_600_000),
    ip: null,
    userAgent: null,
  });
  return `entrance-session=${cookie}`;
}

describe("with Entra unreachable", () => {
  it("security headers for the app's pages answer at once, with the authority as form target", {
    timeout: 15_000,
  }, async () => {
    const { entrance } = coreWith();
    const headers = await entrance.securityHeaders();
    expect(headers["content-security-policy"]).toContain(`form-action 'self' ${authorityHost}`);
  });

  it("a signed-in session is found (its roles not counted until the tenant is known)", {
    timeout: 15_000,
  }, async () => {
    const { store, entrance } = coreWith();
    const cookie = await storedSession(store);
    const signedIn = await entrance.getSession(cookie);
    expect(signedIn?.user.displayName).toBe("Lee Gu");
    expect(signedIn?.user.roles).toEqual([]);
    // Asked again within 30 s: no new wait at all.
    expect((await entrance.getSession(cookie))?.user.roles).toEqual([]);
  });

  it("the sign-out confirmation shows, and sign-out ends the session and comes back here", {
    timeout: 15_000,
  }, async () => {
    const { store, entrance } = coreWith();
    const cookie = await storedSession(store);
    const page = await entrance.handle(new Request(`${APP_BASE}/auth/logout`));
    expect(page?.status).toBe(200);
    const done = await entrance.handle(
      new Request(`${APP_BASE}/auth/logout`, {
        method: "POST",
        headers: { cookie, origin: APP_BASE, "sec-fetch-site": "same-origin" },
      }),
    );
    expect(done?.status).toBe(303);
    expect(done?.headers.get("location")).toBe(`${APP_BASE}/`);
    expect(await entrance.getSession(cookie)).toBeNull();
  });
});
