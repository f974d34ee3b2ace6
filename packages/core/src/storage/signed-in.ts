import { EntranceError } from "../errors/entrance-error.js";
import type { EntranceStore, StoredSignedIn } from "./types.js";

/**
 * A session and its user by the session's id hash: the store's one read
 * ({@link EntranceStore.signedIn}) when it offers one now, else `sessions.get` then `users.get`.
 * What the one read answers is checked as the two reads would have keyed it — the session of this
 * id hash, the user of that session's tenant and object id — and anything else is `store_failed`:
 * a store's mistake must never sign a request in as somebody else.
 */
export async function readSignedIn(
  store: EntranceStore,
  idHash: string,
): Promise<StoredSignedIn | null> {
  const together = store.signedIn;
  if (together) {
    const found = await together.call(store, idHash);
    if (found === null) return null;
    const { session, user } = found;
    if (
      session.idHash !== idHash ||
      (user !== null && (user.tenantId !== session.tenantId || user.objectId !== session.objectId))
    ) {
      throw new EntranceError(
        "store_failed",
        "The store's signedIn answered with another session or another user than the one asked for.",
      );
    }
    return found;
  }
  const session = await store.sessions.get(idHash);
  if (!session) return null;
  return { session, user: await store.users.get(session.tenantId, session.objectId) };
}
