import { html, type SafeHtml } from "@entrance/core";
import type { Page } from "../format.js";

/** "Showing 26–50 of 60" with previous and next links; `href(n)` is page n's URL. */
export function pager(
  page: Page,
  shown: number,
  total: number,
  href: (n: number) => string,
): SafeHtml {
  const first = shown === 0 ? 0 : page.offset + 1;
  const last = page.offset + shown;
  const hasPrevious = page.number > 1;
  const hasNext = last < total;
  const lastPage = Math.max(1, Math.ceil(total / page.size));
  const previous = hasPrevious
    ? html`<a class="button secondary small" rel="prev" href="${href(Math.min(page.number - 1, lastPage))}">← Previous</a>`
    : html`<span class="button secondary small" aria-disabled="true">← Previous</span>`;
  const next = hasNext
    ? html`<a class="button secondary small" rel="next" href="${href(page.number + 1)}">Next →</a>`
    : html`<span class="button secondary small" aria-disabled="true">Next →</span>`;
  return html`<nav class="pages" aria-label="Pages"><p class="muted" id="range" role="status">${
    total === 0
      ? "Nothing to show"
      : shown === 0
        ? `Page ${page.number} is past the end: there are ${total}`
        : `Showing ${first}–${last} of ${total}`
  }</p><ul><li>${previous}</li><li>${next}</li></ul></nav>`;
}
