/**
 * Every store operation with a deadline and one way to fail: a store that does not answer within
 * `storeTimeoutMs`, or cannot be reached, becomes `store_unavailable` (503: try again soon); any
 * other failure becomes `store_failed` (500). A request then gets a clear page or JSON instead of
 * a hang, a crash or a driver's message, and the store's own reconnecting brings the app back.
 */
import { EntranceError } from "../errors/entrance-error.js";
import { StoreOperation } from "../telemetry/otel.js";
import type { EntranceStore } from "./types.js";

/** The parts of a store whose methods are guarded (`close` is not: it is the app's own call). */
const PARTS = ["users", "sessions", "tokens", "transactions", "locks", "audit"] as const;

/**
 * Error codes and messages of drivers that mean "cannot reach the store right now" rather than
 * "the store refused this": sockets, PostgreSQL's shutdown and connection states, ioredis and
 * node-redis when disconnected, SQLite busy beyond its timeout.
 */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01", // admin_shutdown (the backend was terminated)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "08000", // connection_exception
  "08001",
  "08003",
  "08004",
  "08006",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "PROTOCOL_CONNECTION_LOST",
]);
const UNREACHABLE_MESSAGES =
  /connection (?:is )?closed|connection terminated|terminating connection|not connected|client is closed|socket (?:closed|hang up)|stream isn't writeable|max retries per request|cluster(?:down| isn't ready)|connection timeout/i;

/** Whether an error (or its cause) says the store could not be reached. */
export function isUnreachable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true;
    if (typeof message === "string" && UNREACHABLE_MESSAGES.test(message)) return true;
  }
  return false;
}

/** The store with every operation bounded by `timeoutMs` and its failures made EntranceErrors. */
export function guardStore(store: EntranceStore, timeoutMs: number): EntranceStore {
  const guarded: Record<string, unknown> = { close: () => store.close() };
  const { ping } = store;
  if (ping) {
    const measured = new StoreOperation("store", "ping");
    guarded.ping = () => bounded(() => ping.call(store), "ping", timeoutMs, measured);
  }
  // Looked up on each read, as the store offers it (a deferred store, once opened), and bounded
  // like every other call; absent while the store offers none, so that the two reads it stands
  // for keep a deadline, a span and a name each.
  const measured = new StoreOperation("store", "signedIn");
  let offered: EntranceStore["signedIn"];
  let bound: EntranceStore["signedIn"];
  Object.defineProperty(guarded, "signedIn", {
    get() {
      const current = store.signedIn;
      if (current !== offered) {
        offered = current;
        bound =
          current &&
          ((idHash: string) =>
            bounded(() => current.call(store, idHash), "signedIn", timeoutMs, measured));
      }
      return bound;
    },
  });
  for (const part of PARTS) {
    // `locks` is optional: a store without it keeps refreshes single-flight within the process.
    if (store[part] === undefined) continue;
    guarded[part] = guardPart(store, part, timeoutMs);
  }
  return guarded as unknown as EntranceStore;
}

/**
 * One part's methods, each bounded. A Proxy, since a part may be one itself (a store still
 * opening answers any method name); each method's wrapper is made once.
 */
function guardPart(store: EntranceStore, part: (typeof PARTS)[number], timeoutMs: number) {
  const target = store[part] as unknown as Record<string, unknown>;
  const made = new Map<string, unknown>();
  return new Proxy(target, {
    get(_, name) {
      if (typeof name !== "string") return undefined;
      let wrapper = made.get(name);
      if (wrapper === undefined) {
        const method = target[name];
        if (typeof method !== "function") return method;
        const operation = `${part}.${name}`;
        const measured = new StoreOperation(part, name);
        wrapper = (...args: unknown[]) =>
          bounded(() => method.apply(target, args), operation, timeoutMs, measured);
        made.set(name, wrapper);
      }
      return wrapper;
    },
  });
}

/** An operation still waiting for its store, and when it stops waiting. */
interface Waiting {
  readonly deadline: number;
  readonly operation: string;
  readonly timeoutMs: number;
  readonly reject: (error: EntranceError) => void;
}

/**
 * Operations waiting for a store. One timer checks their deadlines while any wait, rather than a
 * timer per call: a store read is on the path of signed-in requests, and a timer of its own
 * cost more than the read from SQLite.
 */
const waiting = new Set<Waiting>();
let ticker: NodeJS.Timeout | undefined;
const TICK_MS = 25;

function expire(): void {
  const now = Date.now();
  for (const entry of waiting) {
    if (entry.deadline > now) continue;
    waiting.delete(entry);
    entry.reject(
      new EntranceError(
        "store_unavailable",
        `The store did not answer ${entry.operation} within ${entry.timeoutMs} ms.`,
      ),
    );
  }
  if (waiting.size === 0 && ticker) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

function bounded<T>(
  run: () => Promise<T>,
  operation: string,
  timeoutMs: number,
  measured: StoreOperation,
): Promise<T> {
  // Every store call is a span and a duration (telemetry/otel.ts): here, the one place all pass.
  const call = measured.start();
  let started: Promise<T>;
  try {
    // A custom store may answer with a plain value; a promise passes through unchanged.
    started = Promise.resolve(run());
  } catch (cause) {
    const error = failure(cause, operation);
    measured.end(call, error);
    return Promise.reject(error);
  }
  return new Promise<T>((resolve, reject) => {
    const entry: Waiting = {
      deadline: Date.now() + timeoutMs,
      operation,
      timeoutMs,
      reject: (error) => {
        measured.end(call, error);
        reject(error);
      },
    };
    waiting.add(entry);
    // Never holds the process open: a store call in flight keeps its own socket.
    ticker ??= setInterval(expire, Math.min(TICK_MS, timeoutMs)).unref();
    started.then(
      (value) => {
        // After the deadline the caller has its answer already; a late one changes nothing.
        if (!waiting.delete(entry)) return;
        measured.end(call);
        resolve(value);
      },
      (cause) => {
        if (!waiting.delete(entry)) return;
        const error = failure(cause, operation);
        measured.end(call, error);
        reject(error);
      },
    );
  });
}

/** A store's failure as Entrance reports it: unreachable (503) or failed (500). */
function failure(cause: unknown, operation: string): EntranceError {
  if (cause instanceof EntranceError) return cause;
  if (isUnreachable(cause)) {
    return new EntranceError(
      "store_unavailable",
      `The store could not be reached (${operation}).`,
      {
        cause,
      },
    );
  }
  return new EntranceError("store_failed", `The store failed on ${operation}.`, { cause });
}
