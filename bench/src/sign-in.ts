import type { RunningEmulator } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";

/**
 * Signs a user in to an Entrance app through the real flow (login, the emulator's sign-in page,
 * callback) and returns the app's cookies as a `Cookie` header value.
 */
export async function signIn(
  emulator: RunningEmulator,
  base: string,
  user: string,
  returnTo: string,
): Promise<string> {
  const login = await fetch(`${base}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, {
    redirect: "manual",
  });
  const authorize = login.headers.get("location");
  if (login.status !== 302 || !authorize) {
    throw new Error(`GET /auth/login answered ${login.status}, not a redirect to Entra`);
  }
  const { location } = await pickAccount(emulator, authorize, { user });
  const callback = await fetch(location, {
    redirect: "manual",
    headers: { cookie: cookieHeader(login) },
  });
  if (callback.status !== 302 || callback.headers.get("location") !== returnTo) {
    const body = (await callback.text()).slice(0, 500);
    throw new Error(
      `the callback answered ${callback.status} instead of going to ${returnTo}: ${body}`,
    );
  }
  const cookie = cookieHeader(callback);
  if (!cookie) throw new Error("the callback set no session cookie");
  return cookie;
}

function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}
