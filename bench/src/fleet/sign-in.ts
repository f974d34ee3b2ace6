import type { RunningEmulator } from "@entrance/emulator";
import { type RawResponse, request, signInOnPages } from "@entrance/emulator/testing";
import { CookieJar } from "./cookie-jar.js";

/** A signed-in browser's state for one app: its cookies, and the page it came back to. */
export interface SignedInBrowser {
  /** The `Cookie` header that the app's session rides on. */
  readonly cookie: string;
  readonly page: string;
}

/** Redirects and form posts one sign-in may take before it counts as lost. */
const MAX_STEPS = 12;

/**
 * Signs `user` in to the app at `base` the way a browser does: asks for `path` without a
 * session, follows the app's redirects to the emulator, signs in there, comes back (redirect or
 * form post) and follows the app's redirects until it answers `path` with 200. Whatever the app's
 * routes and cookies, the flow is its own: only the emulator's pages are driven here.
 */
export async function signInThroughApp(
  emulator: RunningEmulator,
  base: string,
  path: string,
  user: string,
): Promise<SignedInBrowser> {
  const jar = new CookieJar();
  const appOrigin = new URL(base).origin;
  const toApp = async (url: string, body?: URLSearchParams): Promise<RawResponse> => {
    const cookie = jar.header();
    const response = await request(url, {
      headers: { accept: "text/html", ...(cookie ? { cookie } : {}) },
      ...(body ? { body } : {}),
    });
    jar.take(response.headers["set-cookie"]);
    return response;
  };
  const steps: string[] = [];
  let response = await toApp(`${base}${path}`);
  for (let step = 0; step < MAX_STEPS; step++) {
    if (response.status === 200) {
      const cookie = jar.header();
      if (!cookie) throw new Error(`${base} answered ${path} without setting any cookie`);
      return { cookie, page: response.text() };
    }
    const location = response.headers.location;
    if (response.status < 300 || response.status > 399 || !location) break;
    const next = new URL(location, base);
    steps.push(`${response.status} → ${next.origin}${next.pathname}`);
    if (next.origin === appOrigin) {
      response = await toApp(next.href);
      continue;
    }
    const { back } = await signInOnPages(emulator, next.href, { user });
    steps.push(`emulator → ${back.kind}`);
    response =
      back.kind === "redirect" ? await toApp(back.location) : await toApp(back.action, back.fields);
  }
  throw new Error(
    `signing ${user} in to ${base} ended with HTTP ${response.status} after ${steps.join(", ")}: ` +
      response.text().slice(0, 500),
  );
}
