import { decodeJwt } from "jose";
import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import { signedOutPage } from "../pages/views.js";
import { SSO_COOKIE } from "./authorize.js";

/**
 * GET or POST /{tenant}/oauth2/v2.0/logout: ends the emulator session, has the browser call the
 * front-channel logout URL of every app signed in through it, then returns to the app when its
 * post_logout_redirect_uri is one of its registered redirect URIs.
 */
export function handleLogout(ctx: EmulatorContext) {
  return async (exchange: Exchange) => {
    const query = await exchange.params();
    const cookie = exchange.cookie(SSO_COOKIE);
    const session = cookie ? ctx.state.endSession(cookie) : undefined;
    const frontchannelUrls = [...(session?.apps ?? [])].flatMap((clientId) => {
      const logoutUrl = ctx.directory.app(clientId)?.value.frontchannelLogoutUrl;
      if (!logoutUrl || !session) return [];
      const url = new URL(logoutUrl);
      url.searchParams.set("sid", session.sid);
      return [url.href];
    });

    const clientId = query.get("client_id") ?? audienceOf(query.get("id_token_hint"));
    const app = clientId ? ctx.directory.app(clientId.toLowerCase())?.value : undefined;
    const requested = query.get("post_logout_redirect_uri");
    let continueTo: string | undefined;
    if (requested && app?.redirectUris.includes(requested)) {
      const url = new URL(requested);
      const state = query.get("state");
      if (state) url.searchParams.set("state", state);
      continueTo = url.href;
    }
    exchange.sendHtml(200, signedOutPage({ frontchannelUrls, continueTo }), {
      "set-cookie": `${SSO_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
    });
  };
}

/** The app an ID token hint was issued to. The hint only names the app; it grants nothing. */
function audienceOf(hint: string | null): string | undefined {
  if (!hint) return undefined;
  try {
    const aud = decodeJwt(hint).aud;
    return typeof aud === "string" ? aud : undefined;
  } catch {
    return undefined;
  }
}
