import { describe, expect, it, vi } from "vitest";
import { composeStores } from "../src/storage/compose.js";
import { createMemoryStore } from "../src/storage/memory.js";
import type { DirectoryStore, SessionSideStore } from "../src/storage/types.js";

/** A session side whose close() is spied on (and fails when told). */
function sessionSide(close: () => Promise<void> = async () => {}): SessionSideStore {
  const { sessions, tokens, transactions, locks } = createMemoryStore();
  return { sessions, tokens, transactions, ...(locks ? { locks } : {}), close: vi.fn(close) };
}

/** A directory side whose close() is spied on (and fails when told). */
function directorySide(close: () => Promise<void> = async () => {}): DirectoryStore {
  const { users, audit } = createMemoryStore();
  return { users, audit, close: vi.fn(close) };
}

describe("composeStores", () => {
  it("uses each side's parts as they are, the locks being the session side's", () => {
    const [session, directory] = [sessionSide(), directorySide()];
    const store = composeStores({ session, directory });
    expect(store.sessions).toBe(session.sessions);
    expect(store.tokens).toBe(session.tokens);
    expect(store.transactions).toBe(session.transactions);
    expect(store.locks).toBe(session.locks);
    expect(store.users).toBe(directory.users);
    expect(store.audit).toBe(directory.audit);
  });

  it("has no locks when the session side has none", () => {
    const { locks: _, ...withoutLocks } = sessionSide();
    const store = composeStores({ session: withoutLocks, directory: directorySide() });
    expect("locks" in store).toBe(false);
  });

  it("close closes both sides, each once however often it is called", async () => {
    const [session, directory] = [sessionSide(), directorySide()];
    const store = composeStores({ session, directory });
    await store.close();
    await store.close();
    expect(session.close).toHaveBeenCalledTimes(1);
    expect(directory.close).toHaveBeenCalledTimes(1);
  });

  it("close closes a store passed as both sides once", async () => {
    const both = createMemoryStore();
    const close = vi.spyOn(both, "close");
    const store = composeStores({ session: both, directory: both });
    await store.close();
    expect(close).toHaveBeenCalledTimes(1);
    await expect(both.users.get("t", "o")).rejects.toThrow(/closed/);
  });

  it("a session side that fails to close still lets the directory close, then rethrows", async () => {
    const failure = new Error("session side: connection reset");
    const [session, directory] = [sessionSide(() => Promise.reject(failure)), directorySide()];
    await expect(composeStores({ session, directory }).close()).rejects.toBe(failure);
    expect(directory.close).toHaveBeenCalledTimes(1);
  });

  it("a directory that throws on close still lets the session side close, then rethrows", async () => {
    const failure = new Error("directory: pool already ended");
    const session = sessionSide();
    const directory = directorySide(() => {
      throw failure; // synchronously, not as a rejected promise
    });
    await expect(composeStores({ session, directory }).close()).rejects.toBe(failure);
    expect(session.close).toHaveBeenCalledTimes(1);
  });

  it("when both sides fail to close, the error carries both failures", async () => {
    const [first, second] = [new Error("session side failed"), new Error("directory failed")];
    const store = composeStores({
      session: sessionSide(() => Promise.reject(first)),
      directory: directorySide(() => Promise.reject(second)),
    });
    const error = await store.close().then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toStrictEqual([first, second]);
  });

  it("refuses a side that lacks its parts, naming them", () => {
    const directory = directorySide();
    const notASessionSide = directory as unknown as SessionSideStore;
    expect(() => composeStores({ session: notASessionSide, directory })).toThrow(
      /session side has no sessions, tokens, transactions; pass a store that implements SessionSideStore/,
    );
    const session = sessionSide();
    expect(() =>
      composeStores({ session, directory: { close: async () => {} } as unknown as DirectoryStore }),
    ).toThrow(/directory side has no users, audit/);
  });
});
