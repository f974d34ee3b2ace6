/**
 * HTML built with a tagged template that escapes every interpolated value, so that escaping is
 * the default and never a step to remember: only another `html` fragment is inserted as is.
 */

/** A fragment of HTML that is already safe to insert. */
export class SafeHtml {
  constructor(readonly value: string) {}
}

/** What may be interpolated: text (escaped), fragments, lists of either, or nothing. */
export type Interpolation = SafeHtml | string | number | null | undefined | false | Interpolation[];

/** Escapes text for an element's content or a quoted attribute value. */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}

/**
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
