import { html, type SafeHtml } from "@entrance/core";

/**
 * A moment as `2026-05-03 14:22 UTC`, in a `<time>` element carrying the exact instant. The date
 * and the time never break inside, but may go on two lines in a narrow column.
 */
export function time(date: Date | null | undefined): SafeHtml | string {
  if (!date) return "—";
  const iso = date.toISOString();
  return html`<time datetime="${iso}"><span class="nowrap">${iso.slice(0, 10)}</span> <span class="nowrap">${iso.slice(11, 16)} UTC</span></time>`;
}

/** How far a moment is from now, in words: "in 59 min", "3 h ago". */
export function relative(date: Date, now: number): string {
  const minutes = Math.round((date.getTime() - now) / 60_000);
  const size = Math.abs(minutes);
  const amount =
    size < 1
      ? "less than a minute"
      : size < 120
        ? `${size} min`
        : size < 48 * 60
          ? `${Math.round(size / 60)} h`
          : `${Math.round(size / 1440)} days`;
  return minutes >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** "1 session", "3 sessions". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A person's name for display: display name, else username, else the object id. */
export function nameOf(user: {
  displayName?: string | null;
  username?: string | null;
  objectId: string;
}): string {
  return user.displayName || user.username || user.objectId;
}

/** Which slice of a list a page is. */
export interface Page {
  /** 1-based. */
  readonly number: number;
  readonly size: number;
  readonly offset: number;
}

/** The page a `page` query value asks for; anything unreadable is the first page. */
export function pageOf(value: string | null, size: number): Page {
  const parsed = Number(value);
  // Offsets beyond what any store pages to are clamped rather than refused.
  const number = Number.isInteger(parsed) && parsed >= 1 ? Math.min(parsed, 100_000) : 1;
  return { number, size, offset: (number - 1) * size };
}

/** A query text value, trimmed and bounded; undefined when empty. */
export function textParam(value: string | null, max = 200): string | undefined {
  const trimmed = (value ?? "").trim().slice(0, max);
  return trimmed === "" ? undefined : trimmed;
}
