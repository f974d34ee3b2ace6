import { defaults, type RunningEmulator } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";
import {
  createEntrance,
  createMemoryStore,
  type Entrance,
  type EntranceOptions,
  type EntranceStore,
  trustCertificateAuthority,
} from "../../src/index.js";

export const APP_BASE = "http://localhost:3000";
export const SECRET = "test-secret-test-secret-test-secret-0123456789";

/** An Entrance core configured for the emulator's built-in web app. */
export function entranceFor(
  emulator: RunningEmulator,
  store: EntranceStore,
  overrides: Partial<EntranceOptions> = {},
): Entrance {
  return createEntrance({
    tenantId: "organizations",
    clientId: defaults.webApp,
    clientSecret: defaults.webAppSecret,
    authorityHost: emulator.urls.https,
    baseUrl: APP_BASE,
    secrets: [SECRET],
    trust: trustCertificateAuthority(emulator.caCertPem),
    env: {},
    store,
    ...overrides,
    // Multi-tenant: only the app's home tenant assigns roles that count (Contoso, where the
    // emulator registers the app).
    authorization: { trustedTenants: [defaults.contoso], ...overrides.authorization },
  });
}

/** A browser's cookie jar, enough for one origin. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attributes.some((a) => /max-age=0/i.test(a.trim())) || value === "")
        this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  get header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }
}

/** GET one of Entrance's URLs as the browser with `jar` would. */
export async function browse(entrance: Entrance, jar: CookieJar, url: string): Promise<Response> {
  const request = new Request(new URL(url, APP_BASE), {
    headers: { cookie: jar.header, "user-agent": "test-browser" },
  });
  const response = await entrance.handle(request, { ip: "127.0.0.1" });
  if (!response) throw new Error(`Entrance does not serve ${url}`);
  jar.take(response);
  return response;
}

/** POSTs to one of Entrance's URLs from a page of `origin` (the app itself by default). */
export async function post(
  entrance: Entrance,
  jar: CookieJar,
  url: string,
  origin = APP_BASE,
): Promise<Response> {
  const request = new Request(new URL(url, APP_BASE), {
    method: "POST",
    headers: {
      cookie: jar.header,
      origin,
      "sec-fetch-site": origin === APP_BASE ? "same-origin" : "cross-site",
    },
  });
  const response = await entrance.handle(request, { ip: "127.0.0.1" });
  if (!response) throw new Error(`Entrance does not serve POST ${url}`);
  jar.take(response);
  return response;
}

/** Starts sign-in, picks the user at the emulator, and returns the callback URL Entra sent back. */
export async function startSignIn(
  emulator: RunningEmulator,
  entrance: Entrance,
  jar: CookieJar,
  user: string,
  returnTo = "/",
): Promise<string> {
  const login = await browse(entrance, jar, `/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  const authorize = login.headers.get("location") ?? "";
  const { location } = await pickAccount(emulator, authorize, { user });
  return location;
}

/** A fresh memory store, an Entrance core on it, and an empty browser. */
export function fresh(emulator: RunningEmulator, overrides: Partial<EntranceOptions> = {}) {
  const store = createMemoryStore();
  return { store, entrance: entranceFor(emulator, store, overrides), jar: new CookieJar() };
}

/** `fresh`, with `user` signed in through the emulator. */
export async function signedInAs(
  emulator: RunningEmulator,
  user: string,
  overrides: Partial<EntranceOptions> = {},
) {
  const context = fresh(emulator, overrides);
  await browse(
    context.entrance,
    context.jar,
    await startSignIn(emulator, context.entrance, context.jar, user),
  );
  return context;
}
