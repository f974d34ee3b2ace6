/**
 * Sign-out: `GET /auth/logout` asks, `POST /auth/logout` ends the session and goes to Entra's
 * end-session endpoint; `GET /auth/frontchannel-logout?sid=` is Entra ending sessions by `sid`.
 */
import { EntranceError } from "../errors/entrance-error.js";
import { readCookie, serializeCookie } from "../http/cookies.js";
import { fromThisSite } from "../http/same-site.js";
import { entrancePageHeaders } from "../http/security-headers.js";
import type { Runtime } from "../runtime.js";
import { issuerMatches } from "./issuer.js";
import { logoutConfirmPage } from "./pages.js";

/** How long sign-out waits for Entra's metadata before it does without. */
const METADATA_WAIT_MS = 3000;

/** Sign-out changes state, so it is a POST; a GET (a plain link) asks first. */
export async function confirmSignOut(rt: Runtime): Promise<Response> {
  // The form's POST is answered by a redirect to Entra: `form-action` must allow its origin.
  await rt.metadata.documentWithin(METADATA_WAIT_MS);
  return new Response(logoutConfirmPage(rt.config.paths.logout), {
    status: 200,
    headers: entrancePageHeaders(rt.formTargets()),
  });
}

/**
 * Ends this browser's session, evicts the user's tokens once no other session of theirs remains,
 * and sends the browser to Entra's end-session endpoint (which returns to `paths.afterLogout`).
 */
export async function signOut(rt: Runtime, request: Request, origin: string): Promise<Response> {
  const { config } = rt;
  if (!fromThisSite(request, origin)) {
    throw new EntranceError("cross_site_request", "Sign-out must be requested from this site.");
  }
  const session = await rt.stored(() =>
    rt.sessions.end(readCookie(request.headers.get("cookie"), rt.cookies.session)),
  );
  if (session) {
    await rt.evictIfSignedOut([session]);
    await rt.trail.record({
      type: "sign_out",
      tenantId: session.tenantId,
      objectId: session.objectId,
      detail: "signed out",
      ip: null,
    });
  }
  const afterLogout = `${origin}${config.paths.afterLogout}`;
  let location = afterLogout;
  // Signed out here whatever happens; Entra's session too when its metadata answers in time.
  const endSession = (await rt.metadata.documentWithin(METADATA_WAIT_MS))?.end_session_endpoint;
  if (endSession) {
    const target = new URL(endSession);
    target.searchParams.set("post_logout_redirect_uri", afterLogout);
    target.searchParams.set("client_id", config.clientId);
    location = target.href;
  }
  const headers = new Headers({ location, "cache-control": "no-store" });
  headers.append(
    "set-cookie",
    serializeCookie(rt.cookies.session, "", { secure: rt.secure, maxAge: 0 }),
  );
  return new Response(null, { status: 303, headers });
}

/**
 * Entra calls this in a hidden frame, usually without our cookies: find sessions by sid. Entra
 * sends only `sid`; an `iss` sent along must be this app's identity provider, or nothing ends.
 */
export async function frontchannelLogout(rt: Runtime, url: URL): Promise<Response> {
  const headers = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" };
  const iss = url.searchParams.get("iss");
  if (iss !== null) {
    const issuer = (await rt.metadata.document()).issuer;
    if (!issuerMatches(issuer, iss, rt.config.allowedTenants)) {
      return new Response("<!doctype html><title>Unknown issuer</title>", {
        status: 400,
        headers,
      });
    }
  }
  const sid = url.searchParams.get("sid");
  if (sid && /^[0-9A-Za-z-]{1,128}$/.test(sid)) {
    const users = await rt.stored(() => rt.store.sessions.deleteBySid(sid));
    for (const user of users) rt.sessions.forgetUser(user.tenantId, user.objectId);
    await rt.evictIfSignedOut(users);
    for (const user of users) {
      await rt.trail.record({
        type: "session_ended",
        tenantId: user.tenantId,
        objectId: user.objectId,
        detail: "front-channel logout from Entra ID",
        ip: null,
      });
    }
  }
  return new Response("<!doctype html><title>Signed out</title>", { status: 200, headers });
}
