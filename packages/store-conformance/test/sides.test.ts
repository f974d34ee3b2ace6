/**
 * Each side's suite runs on a store that has only that side, as a Redis session store or a
 * directory-only store will: neither suite may reach into the other side.
 */
import {
  createMemoryStore,
  type DirectoryStore,
  type EntranceStore,
  type SessionSideStore,
} from "@entrance/core";
import { directoryContract, sessionSideContract } from "@entrance/store-conformance";

/** The session-side parts of a full store, and nothing else. */
function sessionSideOf(store: EntranceStore): SessionSideStore {
  const { sessions, tokens, transactions, locks } = store;
  return {
    sessions,
    tokens,
    transactions,
    ...(locks ? { locks } : {}),
    close: () => store.close(),
  };
}

/** The directory parts of a full store, and nothing else. */
function directoryOf(store: EntranceStore): DirectoryStore {
  const { users, audit } = store;
  return { users, audit, close: () => store.close() };
}

sessionSideContract("a session-side-only memory store", async ({ now }) =>
  sessionSideOf(createMemoryStore({ now })),
);

directoryContract("a directory-only memory store", async ({ now }) =>
  directoryOf(createMemoryStore({ now })),
);
