/**
 * A same-origin path to return to after sign-in, or `/`. Anything that could leave the site —
 * absolute URLs, protocol-relative `//host`, backslash tricks, control characters — becomes `/`.
 */
export function safeReturnTo(value: string | null | undefined, baseUrl: string): string {
  if (!value?.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return "/";
  try {
    const url = new URL(value, baseUrl);
    if (url.origin !== new URL(baseUrl).origin) return "/";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}
