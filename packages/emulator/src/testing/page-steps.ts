/** The steps the page-driving helpers (sign-up, e-mail passcodes) share. */
import type { RawResponse } from "./http-client.js";
import type { AppRedirect } from "./sign-in.js";

/** A hidden field of an emulator page; throws with what the emulator showed when it is not one. */
export function hiddenField(page: RawResponse, name: string, expected: string): string {
  const value = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(
    page.text(),
  )?.[1];
  if (page.status !== 200 || !value) {
    throw new Error(`expected ${expected}, got HTTP ${page.status}: ${page.text().slice(0, 500)}`);
  }
  return value;
}

/** The redirect back to the app that ends a journey, with the emulator's session cookie. */
export function redirectToApp(page: RawResponse, journey: string): AppRedirect {
  const location = page.headers.location;
  if (page.status !== 302 || !location) {
    throw new Error(
      `${journey} did not return to the app (HTTP ${page.status}): ${page.text().slice(0, 500)}`,
    );
  }
  return { location, sessionCookie: page.headers["set-cookie"]?.[0]?.split(";")[0] };
}
