/** Longer return paths are refused: they only serve to bloat stored login transactions. */
const MAX_RETURN_TO = 2048;

/**
 * A same-origin path to return to after sign-in, or `/`. Anything that could leave the site —
 * absolute URLs, protocol-relative `//host` (also once dot-segments are resolved: `/.//host`),
 * backslash tricks, control characters — becomes `/`. `origin` is the request's public origin
 * (an absolute URL on it is accepted as its path).
 */
export function safeReturnTo(value: string | null | undefined, origin: string): string {
  if (!value?.startsWith("/") || value.length > MAX_RETURN_TO) return "/";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return "/";
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return "/";
  }
  if (url.origin !== new URL(origin).origin) return "/";
  // Check what the browser will follow, after the URL parser removed `.` and `..` segments.
  const path = `${url.pathname}${url.search}${url.hash}`;
  return isSafePath(path) ? path : "/";
}

function isSafePath(path: string): boolean {
  return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\");
}
