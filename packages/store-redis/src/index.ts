/**
 * The session side of Entrance in Redis or Redis Cluster: sessions with their idle and absolute
 * expiry as TTLs, login transactions taken atomically by the browser that started them, token
 * partitions, and the locks behind single-flight refresh. Pair it with a SQL directory (users,
 * audit log) through `composeStores` from `@entrance/core`.
 * @module
 */
export type { ConnectionOptions, RedisStoreOptions } from "./connection.js";
export { openRedisStore } from "./store.js";
