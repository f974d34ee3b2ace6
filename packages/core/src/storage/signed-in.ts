import type { EntranceStore, StoredSignedIn } from "./types.js";

/**
 * A session and its user by the session's id hash: the store's one read
 * ({@link EntranceStore.signedIn}) when it has one, else `sessions.get` then `users.get`.
 */
export async function readSignedIn(
  store: EntranceStore,
  idHash: string,
): Promise<StoredSignedIn | null> {
  if (store.signedIn) return store.signedIn(idHash);
  const session = await store.sessions.get(idHash);
  if (!session) return null;
  return { session, user: await store.users.get(session.tenantId, session.objectId) };
}
