import { type Entrance, signInUrlFor } from "@entrance/core";
// What Next itself resolves `next/navigation` to on the server. `next/navigation.js` (the file a
// fully specified import names) is the client module: its router contexts do not exist in a route
// handler's bundle, and `next build` fails there.
import { redirect } from "next/dist/api/navigation.react-server.js";

/**
 * A route handler whose Entrance errors get core's answer, as the other adapters' error handlers
 * give it: consent at Entra and back, "sign in again", a failing store's 503, each error's
 * documented status (JSON for an API call). Any other error is Next's.
 */
export type ErrorsAnswered = <C>(
  handler: (request: Request, context: C) => Response | Promise<Response>,
) => (request: Request, context: C) => Promise<Response>;

/**
 * Runs work of a server component or server action that asks for the user's tokens (Graph,
 * `getAccessToken`). When Entra needs the user — consent for more scopes, or a sign-in again
 * after the refresh token was revoked — Next redirects there, and back to `returnTo` afterwards;
 * any other error is thrown on to Next's error boundary. A server component cannot answer with a
 * page of its own, so where the other adapters show "sign in again", this is the sign-in itself.
 */
export type WithSignIn = <T>(work: () => T | Promise<T>, returnTo?: string) => Promise<T>;

/** Core's sign-in links as Next redirects, for server components (see {@link WithSignIn}). */
export function withSignInBy(coreOf: () => Entrance): WithSignIn {
  return async (work, returnTo = "/") => {
    try {
      return await work();
    } catch (error) {
      const location = signInUrlFor(coreOf(), error, returnTo);
      if (location === null) throw error;
      redirect(location);
    }
  };
}
