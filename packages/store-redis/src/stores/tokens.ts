import type { TokenStore } from "@entrance/core";
import type { Connection } from "../connection.js";
import { corrupt, readFailure } from "../records.js";

/** The hash fields of a partition: its data and its index. */
const DATA = "d";
const INDEX = "i";

/**
 * Token partitions as hashes, one key each: the data and the index in two fields, so a cache hit
 * fetches the index alone (`HGET`) and a put replaces both at once (`DEL` and `HSET` in one
 * `MULTI`, on one key, so one hash slot on Redis Cluster). A key written before indexes holds the
 * data as a plain string: read as such until its next put turns it into a hash. They are kept until
 * deleted, as in every store: the core evicts a user's partition when it signs them out or their
 * refresh token dies. The bytes are already encrypted (and authenticated) by the core, which
 * detects any tampering.
 */
export function redisTokens(connection: Connection): TokenStore {
  const { keys } = connection;
  return {
    async get(partition) {
      const key = keys.tokens(partition);
      // Twice at most: a key read as a string may have become a hash by the second look.
      for (let attempt = 0; attempt < 2; attempt++) {
        let fields: Record<string, Buffer>;
        try {
          fields = await connection.client().hgetallBuffer(key);
        } catch (error) {
          if (!isWrongType(error)) throw readFailure(key, error);
          const data = await olderString(connection, key);
          if (data !== undefined) return data;
          continue;
        }
        if (Object.keys(fields).length === 0) return null;
        const data = fields[DATA];
        if (!data) throw corrupt(key, `the hash has no "${DATA}" field`);
        // A copy: a Buffer may be a view into a pool shared with other data.
        return new Uint8Array(data);
      }
      throw readFailure(key, new Error("WRONGTYPE the key changed type while being read"));
    },

    async getIndex(partition) {
      const key = keys.tokens(partition);
      let index: Buffer | null;
      try {
        index = await connection.client().hgetBuffer(key, INDEX);
      } catch (error) {
        // Not a hash: a key written before indexes (or a broken one, which `get` then reports).
        if (isWrongType(error)) return null;
        throw readFailure(key, error);
      }
      return index === null ? null : new Uint8Array(index);
    },

    async put(partition, data, index) {
      if (!(data instanceof Uint8Array)) throw new TypeError("data must be a Uint8Array");
      if (index !== undefined && !(index instanceof Uint8Array)) {
        throw new TypeError("index must be a Uint8Array");
      }
      const key = keys.tokens(partition);
      const fields: Record<string, Buffer> = { [DATA]: bufferOf(data) };
      if (index) fields[INDEX] = bufferOf(index);
      // MULTI/EXEC: no other client's command runs between the DEL and the HSET.
      const results = await connection.client().multi().del(key).hset(key, fields).exec();
      const failed = results?.find(([error]) => error)?.[0];
      if (failed) throw failed;
      if (!results) throw new Error(`Redis discarded the write of ${key}`);
    },

    async delete(partition) {
      await connection.client().del(keys.tokens(partition));
    },
  };
}

/** The data of a key written before indexes (a string); undefined when it is not a string now. */
async function olderString(connection: Connection, key: string): Promise<Uint8Array | undefined> {
  try {
    const data = await connection.client().getBuffer(key);
    return data === null ? undefined : new Uint8Array(data);
  } catch (error) {
    if (isWrongType(error)) return undefined;
    throw readFailure(key, error);
  }
}

function isWrongType(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("WRONGTYPE");
}

/** A view of the bytes (no copy), which ioredis sends as they are. */
function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
