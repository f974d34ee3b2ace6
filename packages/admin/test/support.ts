import type { Entrance } from "@entrance/core";
import type { RunningEmulator } from "@entrance/emulator";
import { APP_BASE, browse, CookieJar, startSignIn } from "../../core/test/support/emulated.js";
import type { EntranceAdmin } from "../src/index.js";

export { APP_BASE };

/** A browser signed in as `user` on `entrance` (several browsers can share one core and store). */
export async function browserSignedInAs(
  emulator: RunningEmulator,
  entrance: Entrance,
  user: string,
): Promise<CookieJar> {
  const jar = new CookieJar();
  await browse(entrance, jar, await startSignIn(emulator, entrance, jar, user));
  return jar;
}

/** GET a panel URL as the browser with `jar`, navigating from the panel itself. */
export function get(admin: EntranceAdmin, jar: CookieJar | null, path: string): Promise<Response> {
  const request = new Request(new URL(path, APP_BASE), {
    headers: {
      ...(jar ? { cookie: jar.header } : {}),
      "sec-fetch-site": "same-origin",
      "user-agent": "test-browser",
    },
  });
  return admin.handle(request, { ip: "203.0.113.7" });
}

/** POSTs a form to a panel URL, from the panel's own origin unless `from` says otherwise. */
export function post(
  admin: EntranceAdmin,
  jar: CookieJar | null,
  path: string,
  form: Record<string, string>,
  from: { origin?: string; site?: string; contentType?: string } = {},
): Promise<Response> {
  const origin = from.origin ?? APP_BASE;
  const request = new Request(new URL(path, APP_BASE), {
    method: "POST",
    headers: {
      ...(jar ? { cookie: jar.header } : {}),
      origin,
      "sec-fetch-site": from.site ?? (origin === APP_BASE ? "same-origin" : "cross-site"),
      "content-type": from.contentType ?? "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form).toString(),
  });
  return admin.handle(request, { ip: "203.0.113.7" });
}

/** The CSRF token of the confirmation form on a page. */
export function csrfOf(html: string): string {
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error("the page has no confirmation form");
  return token;
}

/** Opens an action's confirmation page and confirms it, as a person would. */
export async function confirm(admin: EntranceAdmin, jar: CookieJar, path: string) {
  const page = await get(admin, jar, path);
  if (page.status !== 200) throw new Error(`${path} answered ${page.status}`);
  return post(admin, jar, path, { csrf: csrfOf(await page.text()) });
}

/** The text of an HTML page without its tags, whitespace collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The text of the table with `id` on a page. */
export function tableText(html: string, id: string): string {
  const table = new RegExp(`<table[^>]*id="${id}"[\\s\\S]*?</table>`).exec(html)?.[0];
  if (!table) throw new Error(`the page has no table #${id}`);
  return textOf(table);
}
