import { createHash } from "node:crypto";

/**
 * The instant generated mail counts back from and generated calendars count forward from (a
 * Monday). Fixed rather than read from the emulator's clock, so that a mailbox is the same on every
 * run and machine, and a list does not change between its first page and its last.
 */
export const MAILBOX_EPOCH = Date.parse("2025-06-02T09:00:00Z");

/** A generated mail message or calendar event. */
export interface OutlookItem {
  readonly id: string;
  /** The `@odata.etag` Graph sends with every Outlook item, even under `$select`. */
  readonly etag: string;
  /** The ISO date-time `$orderby` sorts by (receivedDateTime, start/dateTime). */
  readonly sortKey: string;
  /** The Graph resource, its properties in Graph's order. */
  readonly resource: Readonly<Record<string, unknown>>;
}

/** Coworkers who write the mail and organise the meetings: Microsoft's sample-tenant names. */
export const COWORKERS = [
  "Patti Fernandez",
  "Diego Siciliani",
  "Lynne Robbins",
  "Isaiah Langer",
  "Johanna Lorenz",
  "Nestor Wilke",
  "Grady Archie",
  "Lidia Holloway",
  "Joni Sherman",
  "Miriam Graham",
] as const;

/** Graph's `emailAddress` of a coworker, e.g. `PattiF@contoso.onmicrosoft.com`. */
export function coworkerAddress(name: string, domain: string): { name: string; address: string } {
  const [first = name, last = ""] = name.split(" ");
  return { name, address: `${first}${last.slice(0, 1)}@${domain}` };
}

/** The bytes every generated value of one item derives from. */
export function seed(...parts: readonly string[]): Buffer {
  return createHash("sha256").update(parts.join("\n")).digest();
}

/** An id shaped like Exchange's (base64url with its usual prefix and `=` ending). */
export function outlookId(prefix: string, bytes: Buffer): { id: string; etag: string } {
  return {
    id: `${prefix}${bytes.toString("base64url")}AAA=`,
    etag: `W/"CQAAABYAAAA${bytes.subarray(0, 12).toString("base64")}"`,
  };
}

/** `items` in an order that depends only on `key`: each user gets their own selection. */
export function shuffle<T>(items: readonly T[], key: string, name: (item: T) => string): T[] {
  const rank = (item: T) => seed(key, name(item)).toString("hex");
  return [...items].sort((a, b) => rank(a).localeCompare(rank(b)));
}

/** Graph's `receivedDateTime`: UTC to the second with `Z`. */
export function utcSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
