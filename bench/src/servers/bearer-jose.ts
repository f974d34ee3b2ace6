/**
 * The API route validating the token by hand with jose, as people do for lack of a supported
 * Entra validator for Node: `createRemoteJWKSet` on the tenant's keys and `jwtVerify` with the
 * issuer, the audiences, RS256 and a clock tolerance, then the `scp` check. Fewer rules than
 * Entrance (no v1.0 tokens, no tenant allow-list, no app-only tokens), so it pays less.
 */
import { createRemoteJWKSet, jwtVerify } from "jose";
import { API_PATH, API_SCOPE, renderOrders } from "./api.js";
import { serve } from "./serve.js";

await serve(async (app, setup) => {
  // The emulator's CA is trusted through NODE_EXTRA_CA_CERTS, as any Node app trusts a private CA.
  const keys = createRemoteJWKSet(
    new URL(`${setup.authorityHost}/${setup.tenant}/discovery/v2.0/keys`),
  );
  const options = {
    issuer: `${setup.authorityHost}/${setup.tenant}/v2.0`,
    audience: [setup.clientId, `api://${setup.clientId}`],
    algorithms: ["RS256"],
    clockTolerance: 300,
  };
  app.get(API_PATH, (req, res) => {
    const match = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? "");
    if (!match?.[1]) {
      res.status(401).set("www-authenticate", "Bearer").end();
      return;
    }
    jwtVerify(match[1], keys, options).then(
      ({ payload }) => {
        const scopes = typeof payload.scp === "string" ? payload.scp.split(" ") : [];
        if (!scopes.includes(API_SCOPE)) {
          res.status(403).set("www-authenticate", 'Bearer error="insufficient_scope"').end();
          return;
        }
        res.type("json").send(renderOrders(String(payload.oid)));
      },
      () => {
        res.status(401).set("www-authenticate", 'Bearer error="invalid_token"').end();
      },
    );
  });
  return {};
});
