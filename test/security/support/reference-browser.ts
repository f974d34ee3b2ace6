/**
 * What the browser-attack suites share: the reference app (Express, SQLite) against the emulator,
 * one Chromium, and helpers that act as a person in it and count what the store holds.
 */
import type { EntranceStore } from "@entrance/core";
import { defaults } from "@entrance/emulator";
import type { BrowserContext, Page } from "playwright-core";
import {
  type RunningReferenceApp,
  startReferenceApp,
} from "../../../apps/webapp/test/support/reference-app.js";

export { defaults, type RunningReferenceApp, startReferenceApp };

/** Picks `upn` on the emulator's sign-in page. */
export async function pickUser(page: Page, upn: string): Promise<void> {
  await page.getByRole("button", { name: new RegExp(upn.replace(/[.@#]/g, "\\$&")) }).click();
}

/** Signs `upn` in from the app's home page in `context`; returns the page, back on the app. */
export async function signIn(context: BrowserContext, base: string, upn: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.locator("#sign-in-redirect").click();
  await pickUser(page, upn);
  await page.waitForURL(`${base}/`);
  return page;
}

/** The value of the app's session cookie in `context`, if any. */
export async function sessionCookie(context: BrowserContext, base: string) {
  return (await context.cookies(base)).find((c) => c.name === "entrance-session")?.value;
}

/** Who `context` is signed in as, by the app's `/api/me`: the object id, or the HTTP status. */
export async function whoAmI(context: BrowserContext, base: string): Promise<string | number> {
  const response = await context.request.get(`${base}/api/me`, {
    headers: { accept: "application/json" },
    maxRedirects: 0,
  });
  if (response.status() !== 200) return response.status();
  return ((await response.json()) as { objectId: string }).objectId;
}

/** How many rows the store holds, per kind: what an attack must not grow. */
export async function rows(store: EntranceStore) {
  const { users, total } = await store.users.list({ limit: 500, offset: 0 });
  let sessions = 0;
  for (const user of users)
    sessions += (await store.sessions.listByUser(user.tenantId, user.objectId)).length;
  return {
    users: total,
    sessions,
    pendingSignIns: await store.transactions.countPending(),
    audit: (await store.audit.list({ limit: 1, offset: 0 })).total,
  };
}

/** Adds a user to the emulator's Contoso tenant: someone the store has never seen. */
export function newContosoUser(running: RunningReferenceApp, name: string) {
  const upn = `${name}@contoso.onmicrosoft.com`;
  const id = crypto.randomUUID();
  running.emulator.control.putUser(defaults.contoso, {
    id,
    userPrincipalName: upn,
    displayName: name,
  });
  return { id, upn };
}
