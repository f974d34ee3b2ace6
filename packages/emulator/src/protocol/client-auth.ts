import { createHash, timingSafeEqual } from "node:crypto";
import { decodeJwt } from "jose";
import type { AppRegistration } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import { JWT_BEARER_ASSERTION, verifyClientAssertion } from "./client-assertion.js";
import { errors } from "./errors.js";
import type { Authority } from "./tenants.js";

/** The app that called the token endpoint, and how it proved it. */
export interface Client {
  readonly app: AppRegistration;
  /** `azpacr`/`appidacr`: 0 public client, 1 client secret, 2 certificate. */
  readonly auth: 0 | 1 | 2;
}

/**
 * Client authentication: a secret in the body or by HTTP Basic, or a certificate credential
 * (`client_assertion`, private_key_jwt); public clients send none.
 */
export async function authenticate(
  ctx: EmulatorContext,
  exchange: Exchange,
  form: URLSearchParams,
  authority: Authority,
): Promise<Client> {
  let clientId = form.get("client_id") ?? undefined;
  let secret = form.get("client_secret") ?? undefined;
  const basic = /^Basic\s+(\S+)$/i.exec(exchange.header("authorization") ?? "")?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0)
      throw errors.malformed("The Authorization header is not valid Basic credentials.");
    // RFC 6749 §2.3.1: both halves are form-urlencoded before base64.
    const id = formDecode(decoded.slice(0, colon));
    if (clientId && clientId !== id)
      throw errors.malformed("client_id differs from the Basic credentials.");
    clientId = id;
    secret = formDecode(decoded.slice(colon + 1));
  }
  // With a certificate credential, Entra finds the client in the assertion when client_id is absent.
  clientId ??= unverifiedSubject(form.get("client_assertion"));
  if (!clientId) throw errors.missingParameter("client_id");
  const located = ctx.directory.app(clientId.toLowerCase());
  if (!located) throw errors.appNotFound(clientId, "the emulator");
  const app = located.value;
  const assertion = form.get("client_assertion");
  if (assertion !== null) {
    const type = form.get("client_assertion_type");
    if (!type) throw errors.missingParameter("client_assertion_type");
    if (type !== JWT_BEARER_ASSERTION)
      throw errors.malformed(`client_assertion_type must be ${JWT_BEARER_ASSERTION}.`);
    if (secret !== undefined)
      throw errors.malformed("Send one client credential: a client_secret or a client_assertion.");
    await verifyClientAssertion(ctx, app, authority, assertion);
    return { app, auth: 2 };
  }
  if (app.secrets.length === 0 && app.certificates.length === 0) {
    if (secret !== undefined) throw errors.publicClientSecret();
    return { app, auth: 0 };
  }
  if (!secret) throw errors.missingCredential();
  if (!app.secrets.some((known) => sameSecret(known, secret)))
    throw errors.invalidSecret(app.clientId);
  return { app, auth: 1 };
}

/** A confidential client is needed (client credentials, on-behalf-of). */
export function requireConfidential(client: Client): void {
  if (client.auth === 0) throw errors.missingCredential();
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll("+", " "));
  } catch {
    throw errors.malformed("The Authorization header is not valid Basic credentials.");
  }
}

function sameSecret(known: string, given: string): boolean {
  const a = createHash("sha256").update(known).digest();
  const b = createHash("sha256").update(given).digest();
  return timingSafeEqual(a, b);
}

function unverifiedSubject(assertion: string | null): string | undefined {
  if (!assertion) return undefined;
  try {
    const sub = decodeJwt(assertion).sub;
    return typeof sub === "string" ? sub : undefined;
  } catch {
    return undefined;
  }
}
