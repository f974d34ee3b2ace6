import type { SessionSideStore } from "@entrance/core";
import { connect, type RedisStoreOptions } from "./connection.js";
import { redisLocks } from "./stores/locks.js";
import { redisSessions } from "./stores/sessions.js";
import { redisTokens } from "./stores/tokens.js";
import { redisTransactions } from "./stores/transactions.js";

/**
 * Opens Redis (one server, or a Redis Cluster) as the session side of Entrance: sessions, login
 * transactions, token partitions and the locks behind single-flight refresh. Users and the audit
 * log stay in SQL: join the two with `composeStores` from `@entrance/core`. Resolves once the
 * server has answered; rejects with a message naming the problem when the options are wrong or
 * no answer comes within `openTimeoutMs`.
 *
 * @example
 * ```ts
 * import { composeStores } from "@entrance/core";
 * import { openRedisStore } from "@entrance/store-redis";
 * import { openSqlStore } from "@entrance/store-sql";
 *
 * const store = composeStores({
 *   session: await openRedisStore({ url: process.env.REDIS_URL }),
 *   directory: await openSqlStore(process.env.DATABASE_URL ?? "./data/entrance.db"),
 * });
 * ```
 */
export async function openRedisStore(options: RedisStoreOptions): Promise<SessionSideStore> {
  const connection = await connect(options);
  return {
    sessions: redisSessions(connection),
    tokens: redisTokens(connection),
    transactions: redisTransactions(connection),
    locks: redisLocks(connection),
    ping: () => connection.ping(),
    close: () => connection.close(),
  };
}
