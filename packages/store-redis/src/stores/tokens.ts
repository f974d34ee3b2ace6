import type { TokenStore } from "@entrance/core";
import type { Connection } from "../connection.js";
import { readFailure } from "../records.js";

/**
 * Token partitions as binary strings, one key each. They are kept until deleted, as in every
 * store: the core evicts a user's partition when it signs them out or their refresh token dies.
 * The bytes are already encrypted (and authenticated) by the core, which detects any tampering.
 */
export function redisTokens(connection: Connection): TokenStore {
  const { keys } = connection;
  return {
    async get(partition) {
      const key = keys.tokens(partition);
      let data: Buffer | null;
      try {
        data = await connection.client().getBuffer(key);
      } catch (error) {
        throw readFailure(key, error);
      }
      // A copy: a Buffer may be a view into a pool shared with other data.
      return data === null ? null : new Uint8Array(data);
    },

    async put(partition, data) {
      if (!(data instanceof Uint8Array)) throw new TypeError("data must be a Uint8Array");
      await connection
        .client()
        .set(keys.tokens(partition), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    },

    async delete(partition) {
      await connection.client().del(keys.tokens(partition));
    },
  };
}
