/**
 * A session read with its user in one call (`EntranceStore.signedIn`): the core uses it when the
 * store offers it, bounds it like every store call, and checks what it answers — a store that
 * answers another session or another user fails the request instead of signing it in as them.
 * A deferred store offers it once its store has opened, and only if that store has one.
 */
import { type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMemoryStore,
  deferredStore,
  type EntranceStore,
  readSignedIn,
  type StoredSignedIn,
} from "../src/index.js";
import { APP_BASE, browse, CookieJar, entranceFor, startSignIn } from "./support/emulated.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

type Mode = "none" | "honest" | "other user" | "other session" | "hang";

/** A memory store whose one read does what `mode` says, counting its calls. */
function storeWithOneRead() {
  const memory = createMemoryStore();
  const state = { mode: "none" as Mode, calls: 0 };
  const honest = (idHash: string) => readSignedIn(memory, idHash);
  const answers: Record<
    Exclude<Mode, "none">,
    (idHash: string) => Promise<StoredSignedIn | null>
  > = {
    honest,
    "other user": async (idHash) => {
      const found = await honest(idHash);
      return found && { ...found, user: found.user && { ...found.user, objectId: "someone-else" } };
    },
    "other session": async (idHash) => {
      const found = await honest(idHash);
      return found && { ...found, session: { ...found.session, idHash: "another-session" } };
    },
    hang: () => new Promise(() => {}),
  };
  const store: EntranceStore = { ...memory };
  Object.defineProperty(store, "signedIn", {
    get: () => {
      const { mode } = state;
      if (mode === "none") return undefined;
      return (idHash: string) => {
        state.calls += 1;
        return answers[mode](idHash);
      };
    },
  });
  return { store, state };
}

/** A core without the session cache on `store`, with Megan signed in; her cookie header. */
async function signedIn(store: EntranceStore) {
  const entrance = entranceFor(emulator, store, {
    session: { cacheSeconds: 0 },
    storeTimeoutMs: 300,
  });
  const jar = new CookieJar();
  await browse(
    entrance,
    jar,
    await startSignIn(emulator, entrance, jar, "megan@contoso.onmicrosoft.com"),
  );
  const page = () => new Request(`${APP_BASE}/`, { headers: { cookie: jar.header } });
  return { entrance, page };
}

describe("a store's one read of a session with its user", () => {
  it("is what a request without a cached session reads, when the store offers it", async () => {
    const { store, state } = storeWithOneRead();
    const { entrance, page } = await signedIn(store);
    state.mode = "honest";
    const context = await entrance.context(page());
    expect(context.user?.username).toBe("megan@contoso.onmicrosoft.com");
    expect(state.calls).toBe(1);
  });

  it("answering another user or another session fails the request (store_failed), never signs it in", async () => {
    const { store, state } = storeWithOneRead();
    const { entrance, page } = await signedIn(store);
    for (const mode of ["other user", "other session"] as const) {
      state.mode = mode;
      await expect(entrance.context(page())).rejects.toMatchObject({ code: "store_failed" });
    }
    state.mode = "none";
    expect((await entrance.context(page())).user?.username).toBe("megan@contoso.onmicrosoft.com");
  });

  it("is bounded like every store call: one that never answers is store_unavailable", async () => {
    const { store, state } = storeWithOneRead();
    const { entrance, page } = await signedIn(store);
    state.mode = "hang";
    await expect(entrance.context(page())).rejects.toMatchObject({ code: "store_unavailable" });
  });
});

describe("a deferred store's one read", () => {
  it("is offered once its store has opened with one, and reads through it", async () => {
    const { store: inner, state } = storeWithOneRead();
    state.mode = "honest";
    let open: (store: EntranceStore) => void = () => {};
    const store = deferredStore(new Promise<EntranceStore>((resolve) => (open = resolve)));
    expect(store.signedIn).toBeUndefined();
    open(inner);
    await store.ping?.();
    expect(store.signedIn).toBeTypeOf("function");
    expect(await store.signedIn?.("absent")).toBeNull();
    expect(state.calls).toBe(1);
  });

  it("is never offered for a store without one (e.g. Redis sessions beside SQL users)", async () => {
    const store = deferredStore(async () => createMemoryStore());
    await store.ping?.();
    expect(store.signedIn).toBeUndefined();
  });
});
