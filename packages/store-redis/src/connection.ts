/**
 * The connection to Redis (one server, or a Redis Cluster), checked once when the store opens:
 * options validated (messages name the fix and never echo a URL, which may hold a password), the
 * server asked to answer within a deadline, the scripts registered.
 */
import { Cluster, type ClusterNode, Redis, type RedisOptions } from "ioredis";
import { type KeyLayout, keyLayout } from "./keys.js";
import { defineScripts, type Scripts } from "./scripts.js";

/** Options of {@link openRedisStore}: a server (`url`) or a cluster (`cluster`), not both. */
export interface RedisStoreOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]` of one server (`rediss://` for TLS); the
   * environment variable is `REDIS_URL`.
   */
  readonly url?: string;
  /**
   * Redis Cluster: URLs of some of its nodes (`redis://host:port`, `rediss://` for TLS); the
   * client learns the others from them. A user name and password in the first URL apply to
   * every node.
   */
  readonly cluster?: readonly string[];
  /**
   * Put before every key, so several apps (or tests) can share a server: `"entrance:"` by
   * default. Letters, digits and `: _ - .` only, at most 64 characters (no `{` or `}`, which
   * would change the cluster slot of each key).
   */
  readonly keyPrefix?: string;
  /**
   * ioredis options for every connection (timeouts, TLS details, retry strategy, …); the URL's
   * host, port, user and password win over them. `maxRetriesPerRequest` is 1 unless given: a
   * call made while the server is away fails after one reconnection attempt. Not `keyPrefix` (use the store's own, which
   * keeps cluster hash tags intact) nor `replyMapping` (the store reads replies as RESP2 gives
   * them).
   */
  readonly redis?: ConnectionOptions;
  /**
   * How long opening waits for the first answer before it gives up, in milliseconds; 10,000 by
   * default.
   */
  readonly openTimeoutMs?: number;
  /**
   * Called with connection errors (a server that went away; ioredis reconnects by itself).
   * Ignored by default; the calls made meanwhile fail with their own errors.
   */
  readonly onError?: (error: Error) => void;
}

/** The ioredis options the store passes through. */
export type ConnectionOptions = Omit<RedisOptions, "keyPrefix" | "replyMapping" | "lazyConnect">;

/** What the store sets itself on every connection. */
const FIXED = { lazyConnect: true, replyMapping: "legacy" } as const;

/**
 * Defaults the `redis` option may change. ioredis keeps a call made while the server is away
 * through 20 reconnection attempts (10 s and more) by default; a request should rather fail
 * soon and clearly, so a call fails after one.
 */
const DEFAULTS = { maxRetriesPerRequest: 1 } as const;

/** The open connection, as the parts of the store use it. */
export interface Connection {
  readonly keys: KeyLayout;
  /** The client; throws once the store is closed. */
  client(): Redis | Cluster;
  /** The scripts; throws once the store is closed. */
  scripts(): Scripts;
  /** Resolves once the server (each master of a cluster) has answered `PING`. */
  ping(): Promise<void>;
  /** Closes the connection (once); every call afterwards rejects. */
  close(): Promise<void>;
}

const DEFAULT_PREFIX = "entrance:";
const DEFAULT_OPEN_TIMEOUT_MS = 10_000;
const PREFIX_PATTERN = /^[A-Za-z0-9:_.-]{0,64}$/;

/** Checks the options; every problem in one message, each with its fix. */
export function checkOptions(options: RedisStoreOptions): void {
  const problems: string[] = [];
  const { url, cluster, keyPrefix, openTimeoutMs } = options;
  if ((url === undefined) === (cluster === undefined)) {
    problems.push(
      "give either `url` (one server, e.g. REDIS_URL) or `cluster` (node URLs), not both or none",
    );
  }
  if (url !== undefined && !isRedisUrl(url)) {
    problems.push("`url` must be a redis:// or rediss:// URL with a host, e.g. redis://127.0.0.1");
  }
  if (cluster !== undefined) {
    if (!Array.isArray(cluster) || cluster.length === 0) {
      problems.push('`cluster` must list at least one node URL, e.g. ["redis://10.0.0.1:6379"]');
    } else if (!cluster.every(isRedisUrl)) {
      problems.push("every `cluster` entry must be a redis:// or rediss:// URL with a host");
    }
  }
  if (
    keyPrefix !== undefined &&
    (typeof keyPrefix !== "string" || !PREFIX_PATTERN.test(keyPrefix))
  ) {
    problems.push(
      '`keyPrefix` may hold only letters, digits and : _ - . (at most 64), e.g. "myapp:entrance:"',
    );
  }
  if (openTimeoutMs !== undefined && (!Number.isSafeInteger(openTimeoutMs) || openTimeoutMs < 1)) {
    problems.push("`openTimeoutMs` must be a whole number of milliseconds ≥ 1");
  }
  if (problems.length > 0) {
    throw new TypeError(`Invalid Redis store options: ${problems.join("; ")}.`);
  }
}

function isRedisUrl(value: unknown): boolean {
  if (typeof value !== "string" || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "";
}

/** The nodes and shared options of a cluster, from its node URLs. */
function clusterSettings(urls: readonly string[], redis: ConnectionOptions | undefined) {
  const parsed = urls.map((url) => new URL(url));
  const nodes: ClusterNode[] = parsed.map((url) => ({
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port === "" ? 6379 : Number(url.port),
  }));
  const first = parsed[0];
  const redisOptions: RedisOptions & { replyMapping: "legacy" } = {
    ...DEFAULTS,
    ...redis,
    replyMapping: FIXED.replyMapping,
  };
  if (first?.username) redisOptions.username = decodeURIComponent(first.username);
  if (first?.password) redisOptions.password = decodeURIComponent(first.password);
  if (first?.protocol === "rediss:") redisOptions.tls = { ...redis?.tls };
  return { nodes, redisOptions };
}

/** Connects and waits for the first answer; rejects (and disconnects) when none comes in time. */
export async function connect(options: RedisStoreOptions): Promise<Connection> {
  checkOptions(options);
  const client: Redis | Cluster =
    options.url !== undefined
      ? new Redis(options.url, { ...DEFAULTS, ...options.redis, ...FIXED })
      : (() => {
          const { nodes, redisOptions } = clusterSettings(options.cluster ?? [], options.redis);
          return new Cluster(nodes, { redisOptions, lazyConnect: true });
        })();
  client.on("error", options.onError ?? (() => undefined));
  const kind = options.url !== undefined ? "Redis" : "Redis Cluster";
  const timeout = options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${timeout} ms (is the server running?)`)),
          timeout,
        );
      }),
    ]);
  } catch (error) {
    client.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not open the ${kind} store: ${reason}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }

  const scripts = defineScripts(client);
  let closing: Promise<void> | undefined;
  const open = () => {
    if (closing) throw new Error("The Redis store is closed");
  };
  return {
    keys: keyLayout(options.keyPrefix ?? DEFAULT_PREFIX),
    client() {
      open();
      return client;
    },
    scripts() {
      open();
      return scripts;
    },
    async ping() {
      open();
      // A cluster is healthy when every master answers: each holds a share of the keys.
      const nodes = client instanceof Cluster ? client.nodes("master") : [client];
      if (nodes.length === 0) throw new Error("The Redis Cluster has no reachable master");
      await Promise.all(nodes.map((node) => node.ping()));
    },
    close() {
      closing ??= client.quit().then(
        () => undefined,
        () => client.disconnect(),
      );
      return closing;
    },
  };
}
