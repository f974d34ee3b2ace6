import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import type { Router } from "../http/router.js";
import { FORM_POST_SCRIPT, SIGNED_OUT_SCRIPT, STYLE } from "../pages/assets.js";
import { B2C_STYLE } from "../pages/b2c.js";
import { AVATAR_STYLE } from "../pages/views.js";
import { handleAuthorize, handleConsent, handleSignIn } from "./authorize.js";
import { registerB2cRoutes } from "./b2c.js";
import { handleDiscovery, handleInstanceDiscovery, handleKeys } from "./discovery.js";
import { registerEmailOtpRoutes } from "./email-otp.js";
import { registerExternalIdRoutes } from "./external-id.js";
import { handleLogout } from "./logout.js";
import { handleToken } from "./token.js";

const GET_POST = ["GET", "POST"] as const;

/** The identity platform endpoints, the emulator's own pages and their assets. */
export function registerProtocolRoutes(router: Router, ctx: EmulatorContext): void {
  const discovery = handleDiscovery(ctx);
  const keys = handleKeys(ctx);
  router
    .on("GET", "/:tenant/v2.0/.well-known/openid-configuration", discovery, {
      endpoint: "discovery",
    })
    .on("GET", "/common/discovery/instance", handleInstanceDiscovery(ctx), {
      endpoint: "instance-discovery",
    })
    .on("GET", "/:tenant/discovery/v2.0/keys", keys, { endpoint: "keys" })
    .on("GET", "/discovery/v2.0/keys", keys, { endpoint: "keys" })
    .on(GET_POST, "/:tenant/oauth2/v2.0/authorize", handleAuthorize(ctx), {
      endpoint: "authorize",
      handlesFaults: ["error"],
    })
    .on("POST", "/_emulator/sign-in", handleSignIn(ctx), { endpoint: "sign-in" })
    .on("POST", "/_emulator/consent", handleConsent(ctx), { endpoint: "consent" })
    .on("POST", "/:tenant/oauth2/v2.0/token", handleToken(ctx), {
      endpoint: "token",
      httpsOnly: true,
      handlesFaults: ["id_token"],
    })
    .on(GET_POST, "/:tenant/oauth2/v2.0/logout", handleLogout(ctx), { endpoint: "logout" })
    .on("GET", "/_emulator/style.css", asset("text/css", `${STYLE}\n${AVATAR_STYLE}\n${B2C_STYLE}`))
    .on("GET", "/_emulator/form-post.js", asset("text/javascript", FORM_POST_SCRIPT))
    .on("GET", "/_emulator/signed-out.js", asset("text/javascript", SIGNED_OUT_SCRIPT));
  registerExternalIdRoutes(router, ctx);
  registerEmailOtpRoutes(router, ctx);
  registerB2cRoutes(router, ctx);
}

function asset(type: string, content: string) {
  return (exchange: Exchange) =>
    exchange.send(200, content, {
      "content-type": `${type}; charset=utf-8`,
      "cache-control": "public, max-age=3600",
      "x-content-type-options": "nosniff",
    });
}
