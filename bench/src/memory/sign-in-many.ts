import type { RunningEmulator } from "@entrance/emulator";
import { signInThroughApp } from "../fleet/sign-in.js";
import { PAGE_PATH, renderPage } from "../servers/page.js";

export interface ManySignIns {
  /** The cookie of each user's first session, by user principal name. */
  readonly firstCookie: ReadonlyMap<string, string>;
  /** Total length of the `Cookie` headers the browsers send, over all sessions. */
  readonly cookieBytes: number;
  readonly seconds: number;
}

/**
 * `count` real sign-ins to the app at `base`, the users taking turns, `concurrency` at a time:
 * each a browser of its own through the app's flow and the emulator's pages, ending with the
 * session's first request for the page, which must greet that user.
 */
export async function signInMany(
  emulator: RunningEmulator,
  base: string,
  users: readonly string[],
  count: number,
  concurrency: number,
  progress: (done: number) => void,
): Promise<ManySignIns> {
  const pages = new Map(users.map((upn) => [upn, renderPage(displayName(emulator, upn))]));
  const firstCookie = new Map<string, string>();
  let cookieBytes = 0;
  let next = 0;
  let done = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const upn = users[next++ % users.length] as string;
      const browser = await signInThroughApp(emulator, base, PAGE_PATH, upn);
      if (browser.page !== pages.get(upn)) {
        throw new Error(`${base} greeted someone else than ${upn}: ${browser.page.slice(0, 300)}`);
      }
      if (!firstCookie.has(upn)) firstCookie.set(upn, browser.cookie);
      cookieBytes += Buffer.byteLength(browser.cookie);
      if (++done % 1000 === 0) progress(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { firstCookie, cookieBytes, seconds: (performance.now() - started) / 1000 };
}

export function displayName(emulator: RunningEmulator, upn: string): string {
  const user = emulator.directory.user(upn);
  if (!user) throw new Error(`no user ${upn} in the emulator's directory`);
  return user.value.displayName;
}
