/** `GET /auth/login`: starts a sign-in (authorization code with PKCE and a nonce). */
import { randomBytes } from "node:crypto";
import { CryptoProvider } from "@azure/msal-node";
import { isExternalId } from "../config/external-id.js";
import { EntranceError } from "../errors/entrance-error.js";
import { readCookie, serializeCookie } from "../http/cookies.js";
import type { RequestInfo } from "../options.js";
import type { Runtime } from "../runtime.js";
import type { LoginLimit } from "./login-limit.js";
import { safeReturnTo } from "./return-to.js";
import { bindingHash, type LoginTransaction } from "./transaction.js";

const pkce = new CryptoProvider();

/**
 * Stores a login transaction owned by this browser's binding (bounded per browser and in total:
 * `pendingSignIns`) and sends the browser to Entra's authorize endpoint — for a B2C app, that of
 * `policy` (default: the sign-up/sign-in policy).
 */
export async function startSignIn(
  rt: Runtime,
  limit: LoginLimit,
  request: Request,
  url: URL,
  info: RequestInfo,
  /** The request's public origin, checked (`PublicOrigins.checked`). */
  origin: string,
  policy = rt.config.b2c?.signUpSignIn,
): Promise<Response> {
  const { config } = rt;
  if (!limit.take(info.ip)) {
    throw new EntranceError(
      "too_many_sign_ins",
      "Too many sign-ins were started from your network lately. Please wait a few minutes.",
    );
  }
  const returnTo = safeReturnTo(url.searchParams.get("returnTo"), origin);
  const redirectUri = `${origin}${config.paths.callback}`;
  const existing = readCookie(request.headers.get("cookie"), rt.cookies.binding);
  // One binding per browser, reused, so that several tabs can sign in at once.
  const binding = existing ?? randomBytes(32).toString("base64url");
  const state = randomBytes(32).toString("base64url");
  const { verifier, challenge } = await pkce.generatePkceCodes();
  const extra = extraScopes(url.searchParams.get("scopes"));
  // `email` puts the (unverified, display-only) address in an Entra ID token; B2C sends `emails`
  // when its user flow says so, and refuses scopes it does not know.
  const email = policy ? [] : ["email"];
  const transaction: LoginTransaction = {
    nonce: randomBytes(32).toString("base64url"),
    codeVerifier: verifier,
    bindingHash: bindingHash(binding),
    returnTo,
    popup: url.searchParams.get("popup") === "1",
    scopes: [...new Set([...config.scopes, ...email, ...extra])],
    // A code is redeemed for one resource: the scopes the link asked for, else the app's own.
    redeemScopes: extra.length ? [...extra, ...email] : [...config.scopes, ...email],
    redirectUri,
    createdAt: Date.now(),
    ...(policy ? { policy } : {}),
  };
  const limits = config.pendingSignIns;
  await rt.stored(async () => {
    if ((await rt.store.transactions.countPending()) >= limits.total) {
      throw new EntranceError(
        "sign_in_busy",
        "Too many sign-ins are in progress right now. Please try again in a few minutes.",
      );
    }
    await rt.store.transactions.put(state, JSON.stringify(transaction), config.loginTimeout, {
      id: transaction.bindingHash,
      maxPending: limits.perBrowser,
    });
  });
  const prompt = promptOf(url.searchParams.get("prompt"), isExternalId(config));
  const claims = claimsRequest(url.searchParams.get("claims"));
  const loginHint = url.searchParams.get("login_hint");
  const client = policy && rt.b2c ? await rt.b2c.client(policy) : await rt.client();
  const authorizeUrl = await client.getAuthCodeUrl({
    scopes: transaction.scopes,
    redirectUri,
    responseMode: "query",
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
    state,
    nonce: transaction.nonce,
    ...(prompt ? { prompt } : {}),
    ...(loginHint ? { loginHint } : {}),
    ...(claims ? { claims } : {}),
  });
  const headers = new Headers({ location: authorizeUrl, "cache-control": "no-store" });
  if (!existing) {
    headers.append(
      "set-cookie",
      serializeCookie(rt.cookies.binding, binding, { secure: rt.secure }),
    );
  }
  return new Response(null, { status: 302, headers });
}

/**
 * The `prompt` a sign-in link may pass on: login, select_account or consent; and `create` (straight
 * to the sign-up page) for an External ID tenant, the only kind where people sign themselves up.
 */
function promptOf(value: string | null, externalId: boolean): string | undefined {
  if (value === "login" || value === "select_account" || value === "consent") return value;
  return value === "create" && externalId ? value : undefined;
}

/** Scopes a sign-in link may add (incremental consent): scope-shaped words, a bounded number. */
function extraScopes(value: string | null): string[] {
  if (!value || value.length > 2000) return [];
  return value
    .split(/\s+/)
    .filter((scope) => /^[A-Za-z0-9._:/-]{1,200}$/.test(scope))
    .slice(0, 30);
}

/** A claims request passed through a sign-in link: a JSON object of bounded size, or nothing. */
function claimsRequest(value: string | null): string | undefined {
  if (!value || value.length > 4096) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? value : undefined;
  } catch {
    return undefined;
  }
}
