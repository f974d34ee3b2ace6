/**
 * Microsoft's MSAL Node web-app sample pattern (the `AuthProvider` of Azure-Samples'
 * ms-identity-node, also msal-node-samples' Express apps): express-session with its default
 * MemoryStore and the sample's options; at sign-in a fresh ConfidentialClientApplication,
 * PKCE, `response_mode=form_post`, and the serialized token cache, the ID token, the account and
 * `isAuthenticated` written into the session; in front of the page the sample's check,
 * `req.session.isAuthenticated`. Left out as not sign-in: morgan, the view engine, static files
 * and the app-wide json/urlencoded/cookie-parser middleware (the form body is parsed on the
 * redirect route only), so this peer pays less per request than the sample does.
 * It trusts the emulator's CA through NODE_EXTRA_CA_CERTS, set by the harness.
 */
import {
  type AccountInfo,
  type AuthorizationCodePayload,
  type AuthorizationCodeRequest,
  type AuthorizationUrlRequest,
  ConfidentialClientApplication,
  type Configuration,
  CryptoProvider,
  LogLevel,
  ResponseMode,
} from "@azure/msal-node";
import express, { type RequestHandler } from "express";
import session from "express-session";
import { PAGE_PATH, renderPage } from "./page.js";
import { serve } from "./serve.js";

declare module "express-session" {
  interface SessionData {
    pkceCodes: { challengeMethod: string; verifier: string; challenge: string };
    authCodeUrlRequest: AuthorizationUrlRequest;
    authCodeRequest: Omit<AuthorizationCodeRequest, "code"> & { code: string };
    tokenCache: string;
    idToken: string;
    account: AccountInfo;
    isAuthenticated: boolean;
  }
}

await serve(async (app, setup, base) => {
  const authority = `${setup.authorityHost}/${setup.tenant}`;
  const redirectUri = `${base}/auth/redirect`;
  const msalConfig: Configuration = {
    auth: { clientId: setup.clientId, authority, clientSecret: setup.clientSecret },
    // The sample logs at Info to the console; errors only here, as Entrance does.
    system: { loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false } },
  };
  const cryptoProvider = new CryptoProvider();

  // The default store, made here only so that the memory benchmark can count what it holds.
  const store = new session.MemoryStore();
  app.use(
    session({
      store,
      secret: "express-session-bench-secret-0123456789",
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, secure: false },
    }),
  );

  const login: RequestHandler = async (req, res, next) => {
    try {
      const state = cryptoProvider.base64Encode(JSON.stringify({ successRedirect: PAGE_PATH }));
      // As the sample does: the metadata fetched once, so that each new client skips discovery.
      if (!msalConfig.auth.cloudDiscoveryMetadata || !msalConfig.auth.authorityMetadata) {
        const [cloud, metadata] = await Promise.all([
          getJson(
            `${setup.authorityHost}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${authority}/oauth2/v2.0/authorize`)}`,
          ),
          getJson(`${authority}/v2.0/.well-known/openid-configuration`),
        ]);
        msalConfig.auth.cloudDiscoveryMetadata = JSON.stringify(cloud);
        msalConfig.auth.authorityMetadata = JSON.stringify(metadata);
      }
      const msalInstance = new ConfidentialClientApplication(msalConfig);
      const { verifier, challenge } = await cryptoProvider.generatePkceCodes();
      req.session.pkceCodes = { challengeMethod: "S256", verifier, challenge };
      req.session.authCodeUrlRequest = {
        state,
        scopes: [],
        redirectUri,
        responseMode: ResponseMode.FORM_POST,
        codeChallenge: challenge,
        codeChallengeMethod: "S256",
      };
      req.session.authCodeRequest = { state, scopes: [], redirectUri, code: "" };
      res.redirect(await msalInstance.getAuthCodeUrl(req.session.authCodeUrlRequest));
    } catch (error) {
      next(error);
    }
  };

  const handleRedirect: RequestHandler = async (req, res, next) => {
    const body = req.body as Partial<AuthorizationCodePayload> | undefined;
    if (!body?.state || !body.code || !req.session.authCodeRequest || !req.session.pkceCodes) {
      next(new Error("Error: response not found"));
      return;
    }
    try {
      const msalInstance = new ConfidentialClientApplication(msalConfig);
      if (req.session.tokenCache) msalInstance.getTokenCache().deserialize(req.session.tokenCache);
      const tokenResponse = await msalInstance.acquireTokenByCode(
        {
          ...req.session.authCodeRequest,
          code: body.code,
          codeVerifier: req.session.pkceCodes.verifier,
        },
        { ...body, code: body.code },
      );
      req.session.tokenCache = msalInstance.getTokenCache().serialize();
      req.session.idToken = tokenResponse.idToken;
      if (tokenResponse.account) req.session.account = tokenResponse.account;
      req.session.isAuthenticated = true;
      const state = JSON.parse(cryptoProvider.base64Decode(body.state)) as {
        successRedirect: string;
      };
      res.redirect(state.successRedirect);
    } catch (error) {
      next(error);
    }
  };

  const isAuthenticated: RequestHandler = (req, res, next) => {
    if (!req.session.isAuthenticated) {
      res.redirect("/auth/signin");
      return;
    }
    next();
  };

  app.get("/auth/signin", login);
  app.post("/auth/redirect", express.urlencoded({ extended: false }), handleRedirect);
  app.get(PAGE_PATH, isAuthenticated, (req, res) => {
    res.type("html").send(renderPage(req.session.account?.name ?? ""));
  });
  return {
    facts() {
      // MemoryStore keeps each session as a JSON string, by session id.
      const held = Object.values(
        (store as unknown as { sessions: Record<string, string> }).sessions,
      );
      return {
        sessions: held.length,
        "session JSON characters": held.reduce((sum, json) => sum + json.length, 0),
      };
    },
  };
});

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}
