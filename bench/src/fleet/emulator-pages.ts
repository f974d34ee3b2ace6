import type { RunningEmulator } from "@entrance/emulator";
import { type RawResponse, request } from "@entrance/emulator/testing";

/** How the emulator sends the browser back to the app: a redirect, or a form it posts. */
export type BackToApp =
  | { readonly kind: "redirect"; readonly location: string }
  | { readonly kind: "form_post"; readonly action: string; readonly fields: URLSearchParams };

/**
 * What a person does on the emulator's pages, over HTTP: opens the authorize URL, picks `user`,
 * accepts consent if asked; returns how the emulator sends the browser back to the app. Like
 * `pickAccount` of @entrance/emulator/testing, which throws on `response_mode=form_post` (the MSAL
 * sample's mode) instead of returning the form.
 */
export async function signInOnEmulator(
  emulator: RunningEmulator,
  authorizeUrl: string,
  user: string,
): Promise<BackToApp> {
  const found = emulator.directory.user(user);
  if (!found) throw new Error(`no user ${user} in the emulator's directory`);
  // On http as the emulator advertises it, or on https (with its CA) where an app asks for that.
  const origin = new URL(authorizeUrl).origin;
  const ca = emulator.caCertPem;
  let page = await request(authorizeUrl, { ca });
  page = await submit(origin, ca, page, `name="user" value="${found.value.id}"`, undefined);
  const emulatorCookie = page.headers["set-cookie"]?.[0]?.split(";")[0];
  if (page.status === 200 && page.text().includes('name="decision"')) {
    page = await submit(origin, ca, page, 'name="request"', emulatorCookie, { decision: "accept" });
  }
  const location = page.headers.location;
  if (page.status === 302 && location) return { kind: "redirect", location };
  const emulatorOrigins = [emulator.urls.http, emulator.urls.https].map(
    (url) => new URL(url).origin,
  );
  const toApp = (form: Form) =>
    !emulatorOrigins.includes(new URL(form.action, emulator.urls.http).origin);
  const form = page.status === 200 ? formsOf(page).find(toApp) : undefined;
  if (form) return { kind: "form_post", action: form.action, fields: form.fields };
  throw new Error(
    `sign-in did not return to the app (HTTP ${page.status}): ${page.text().slice(0, 500)}`,
  );
}

interface Form {
  readonly html: string;
  readonly action: string;
  readonly fields: URLSearchParams;
}

function formsOf(page: RawResponse): Form[] {
  const forms = page.text().match(/<form method="post" action="[^"]+">[\s\S]*?<\/form>/g) ?? [];
  return forms.map((html) => {
    const fields = new URLSearchParams();
    for (const [, name = "", value = ""] of html.matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
    )) {
      fields.set(name, decodeEntities(value));
    }
    return { html, action: decodeEntities(/action="([^"]+)"/.exec(html)?.[1] ?? ""), fields };
  });
}

/** Submits the form of an emulator page (served from `origin`) that contains `marker`. */
async function submit(
  origin: string,
  ca: string,
  page: RawResponse,
  marker: string,
  cookie: string | undefined,
  extra: Record<string, string> = {},
): Promise<RawResponse> {
  if (page.status !== 200) {
    throw new Error(`expected an emulator page, got HTTP ${page.status} ${page.headers.location}`);
  }
  const form = formsOf(page).find((f) => f.html.includes(marker));
  if (!form) throw new Error(`no form with ${marker} on the emulator's page`);
  for (const [name, value] of Object.entries(extra)) form.fields.set(name, value);
  return request(new URL(form.action, origin), {
    ca,
    body: form.fields,
    ...(cookie ? { headers: { cookie } } : {}),
  });
}

function decodeEntities(value: string): string {
  return value
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}
