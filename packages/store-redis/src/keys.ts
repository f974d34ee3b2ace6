/**
 * The key layout. Redis Cluster hashes only the text between the first `{` and the next `}` of a
 * key (its hash tag) when there is one, so keys that one script touches carry the same tag and
 * land in one slot; keys read or written alone are spread over the cluster by their own tags.
 *
 * | key                          | type   | holds                                                        |
 * | ---------------------------- | ------ | ------------------------------------------------------------ |
 * | `P{s:idHash}`                | hash   | a session; expires at its idle or absolute expiry            |
 * | `P{u:tenant:object}`         | zset   | a user's session id hashes, scored by absolute expiry        |
 * | `P{sid:sid}`                 | zset   | the id hashes of sessions carrying an Entra `sid`, likewise  |
 * | `P{tx:owner}:v`              | hash   | one browser's login transactions: key → value                |
 * | `P{tx:owner}:e`              | zset   | the same transactions' keys, scored by expiry                |
 * | `P{tx}:pending`              | zset   | every pending transaction (`owner:key`), scored by expiry    |
 * | `P{t:partition}`             | string | a token partition's encrypted bytes                          |
 * | `P{l:key}`                   | string | a lock's holder; expires with the lock                       |
 *
 * `P` is the key prefix. Every variable part is escaped so that it holds no `{`, `}` or `:`: a
 * value cannot move a key to another slot, and two parts cannot join into another key's name.
 */

/** Escapes `%`, `{`, `}` and `:` as `%25`, `%7B`, `%7D`, `%3A`; every other character is kept. */
export function escapePart(part: string): string {
  return part.replace(/[%{}:]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The names of every key the store uses, under one prefix. */
export interface KeyLayout {
  session(idHash: string): string;
  userSessions(tenantId: string, objectId: string): string;
  sidSessions(sid: string): string;
  /** The two keys of one owner's login transactions: values and expiries, in one slot. */
  ownerTransactions(owner: string): { readonly values: string; readonly expiries: string };
  /** The member standing for one transaction in {@link KeyLayout.pendingTransactions}. */
  pendingMember(owner: string, key: string): string;
  pendingTransactions(): string;
  tokens(partition: string): string;
  lock(key: string): string;
}

/** The layout under `prefix`, which must hold no `{` or `}` (checked by the options). */
export function keyLayout(prefix: string): KeyLayout {
  const e = escapePart;
  return {
    session: (idHash) => `${prefix}{s:${e(idHash)}}`,
    userSessions: (tenantId, objectId) => `${prefix}{u:${e(tenantId)}:${e(objectId)}}`,
    sidSessions: (sid) => `${prefix}{sid:${e(sid)}}`,
    ownerTransactions: (owner) => ({
      values: `${prefix}{tx:${e(owner)}}:v`,
      expiries: `${prefix}{tx:${e(owner)}}:e`,
    }),
    pendingMember: (owner, key) => `${e(owner)}:${e(key)}`,
    pendingTransactions: () => `${prefix}{tx}:pending`,
    tokens: (partition) => `${prefix}{t:${e(partition)}}`,
    lock: (key) => `${prefix}{l:${e(key)}}`,
  };
}
