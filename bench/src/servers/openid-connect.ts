/**
 * express-openid-connect (Auth0's middleware) as its docs set up a web app that keeps tokens:
 * `auth({ authRequired: false, … })` with the authorization code flow (`response_type: "code"`,
 * a client secret, `offline_access` for a refresh token), its default encrypted cookie session
 * (which then holds the ID, access and refresh tokens), and `requiresAuth()` on the page.
 * It trusts the emulator's CA through NODE_EXTRA_CA_CERTS, set by the harness.
 *
 * One adjustment for the emulator: it advertises its sign-in page on http (so that a browser
 * need not trust its CA), which openid-client refuses; Entra's is https, and the emulator serves
 * that page on https too. The middleware's documented `customFetch` hands discovery that address.
 * Sign-in only: nothing on a signed-in request fetches anything.
 */
import openIdConnect from "express-openid-connect";
import { PAGE_PATH, renderPage } from "./page.js";
import { serve } from "./serve.js";

const { auth, requiresAuth } = openIdConnect;

await serve(async (app, setup, base) => {
  app.use(
    auth({
      issuerBaseURL: `${setup.authorityHost}/${setup.tenant}/v2.0`,
      baseURL: base,
      clientID: setup.clientId,
      clientSecret: setup.clientSecret,
      secret: "express-openid-connect-bench-secret-0123456789",
      authRequired: false,
      customFetch: authorizeOverHttps(setup.authorityHost),
      authorizationParams: {
        response_type: "code",
        scope: "openid profile email offline_access",
      },
    }),
  );
  app.get(PAGE_PATH, requiresAuth(), (req, res) => {
    res.type("html").send(renderPage(String(req.oidc.user?.name ?? "")));
  });
  return {};
});

/** A fetch that gives the discovery document an https authorization endpoint, as Entra's. */
function authorizeOverHttps(httpsOrigin: string): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!url.endsWith("/.well-known/openid-configuration") || !response.ok) return response;
    const metadata = (await response.json()) as { authorization_endpoint?: string };
    const endpoint = new URL(metadata.authorization_endpoint ?? "");
    metadata.authorization_endpoint = `${httpsOrigin}${endpoint.pathname}`;
    return Response.json(metadata);
  };
}
