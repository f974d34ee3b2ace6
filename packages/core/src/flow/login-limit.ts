import { isIPv6 } from "node:net";

/** The most addresses tracked; the least recently seen makes room. */
const TRACKED = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * How many sign-ins one client address may start: `perAddress` per `windowSeconds`, as a token
 * bucket (a burst of `perAddress`, refilled evenly over the window). Together with the sign-ins'
 * lifetime this bounds what one address holds pending to about twice `perAddress` per instance,
 * so a single client — even one that drops its cookies to look like many browsers — cannot fill
 * `pendingSignIns.total` for everyone. IPv6 addresses count by their /64 (one customer's block).
 * In process: each instance keeps its own; the total cap in the store bounds them all.
 */
export class LoginLimit {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly perAddress: number,
    private readonly windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one start for `ip`; false when that address has used its share. */
  take(ip: string | null | undefined): boolean {
    if (!ip) return true;
    const key = addressKey(ip);
    const now = this.now();
    const rate = this.perAddress / (this.windowSeconds * 1000);
    const bucket = this.#buckets.get(key) ?? { tokens: this.perAddress, at: now };
    bucket.tokens = Math.min(this.perAddress, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    this.#buckets.delete(key);
    if (this.#buckets.size >= TRACKED) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/** An IPv4 address as it is; an IPv6 one by its first 64 bits. */
function addressKey(ip: string): string {
  const bare = ip.startsWith("::ffff:") && !ip.slice(7).includes(":") ? ip.slice(7) : ip;
  if (!isIPv6(bare)) return bare;
  const [head = "", tail = ""] = bare.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = bare.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g || "0", 16).toString(16))
    .join(":")}::/64`;
}
