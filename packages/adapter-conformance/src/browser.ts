/**
 * A browser over HTTP: one cookie jar for the app, redirects seen rather than followed, and
 * sign-in through the emulator's real pages.
 */
import type { RunningEmulator } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";

export class Browser {
  readonly #cookies = new Map<string, string>();
  /** The emulator's own session cookie (`name=value`) after a sign-in, for its logout page. */
  emulatorSession: string | undefined;

  constructor(readonly base: string) {}

  get cookie(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** GET a path (or absolute URL) of the app; `headers` add to the cookie. */
  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.#send(path, { headers });
  }

  /** GETs a page as a browser asks for one. */
  page(path: string): Promise<Response> {
    return this.get(path, { accept: "text/html,application/xhtml+xml" });
  }

  /** GETs as an API client does. */
  api(path: string): Promise<Response> {
    return this.get(path, { accept: "application/json" });
  }

  /** POSTs a form from one of the app's own pages (or from `origin`). */
  post(path: string, form: Record<string, string> = {}, origin = this.base): Promise<Response> {
    return this.#send(path, {
      method: "POST",
      headers: {
        origin,
        "sec-fetch-site": origin === this.base ? "same-origin" : "cross-site",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(form).toString(),
    });
  }

  async #send(
    path: string,
    init: { method?: string; headers: Record<string, string>; body?: string },
  ) {
    const cookie = this.cookie;
    const response = await fetch(new URL(path, this.base), {
      ...init,
      redirect: "manual",
      headers: { ...(cookie ? { cookie } : {}), ...init.headers },
    });
    this.take(response);
    return response;
  }

  /** Keeps the cookies a response sets (and drops the ones it expires). */
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  /**
   * Starts sign-in at `loginUrl` (a path of the app), picks `user` on the emulator's pages
   * (consenting if asked) and comes back to the callback: the callback's response.
   */
  async signInAt(emulator: RunningEmulator, loginUrl: string, user: string): Promise<Response> {
    const login = await this.get(loginUrl);
    const authorize = login.headers.get("location");
    if (login.status !== 302 || !authorize)
      throw new Error(`sign-in did not start: ${login.status}`);
    const { location, sessionCookie } = await pickAccount(emulator, authorize, { user });
    this.emulatorSession = sessionCookie;
    if (!location.startsWith(`${this.base}/`)) throw new Error(`Entra sent us to ${location}`);
    return this.get(location);
  }
}

/** A new browser signed in as `user` (no consent beyond the sign-in's). */
export async function signedIn(
  emulator: RunningEmulator,
  base: string,
  user: string,
): Promise<Browser> {
  const browser = new Browser(base);
  const callback = await browser.signInAt(emulator, "/auth/login?returnTo=%2F", user);
  if (callback.status !== 302) throw new Error(`sign-in failed: HTTP ${callback.status}`);
  return browser;
}
