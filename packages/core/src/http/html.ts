/**
 * HTML for every page Entrance and its packages render, built with a tagged template that escapes
 * every interpolated value: escaping is the default, never a step to remember. Only another
 * `html` fragment is inserted as it is.
 */

/** A fragment of HTML that is already safe to insert. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** What may be interpolated: text (escaped), fragments, lists of either, or nothing. */
export type Interpolation = SafeHtml | string | number | null | undefined | false | Interpolation[];

/** Escapes text for an element's content or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}

/**
 * HTML from a template whose every interpolated value is escaped, except `html` fragments (in a
 * list too), which are inserted as they are; null, undefined and false insert nothing.
 *
 * @example
 * html`<td>${user.displayName}</td>` // "<td>&#60;b&#62;</td>" for a name of "<b>"
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

/** Inserts trusted, already-built markup (a stylesheet, a script URL list) as it is. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
