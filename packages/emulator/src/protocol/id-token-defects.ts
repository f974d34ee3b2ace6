/**
 * ID tokens with one defect each, for `id_token` faults: what a hostile or broken identity
 * provider could send, so that a relying party's checks can be tested one by one. Each token is
 * otherwise the one the emulator would have issued.
 */
import { createHmac, createPublicKey, generateKeyPairSync, randomUUID } from "node:crypto";
import { type JWTPayload, SignJWT } from "jose";
import type { AppRegistration } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { IdTokenDefect } from "../control/faults.js";
import { opaque } from "../ids.js";
import { issuerV1, issuerV2, type Subject, sign } from "./tokens.js";

/** What the defect needs besides the claims: who signed in, for which app, and a re-mint. */
export interface DefectInput {
  readonly subject: Subject;
  readonly app: AppRegistration;
  /** Mints the normal ID token of another subject (for `other-tenant`). */
  readonly mintFor: (subject: Subject) => Promise<string>;
}

const HOUR = 3600;

/** Signs `claims` as an ID token with `defect`. */
export async function mintDefectiveIdToken(
  ctx: EmulatorContext,
  claims: JWTPayload,
  defect: IdTokenDefect,
  input: DefectInput,
): Promise<string> {
  const now = ctx.clock.seconds();
  const tid = String(claims.tid);
  const c: JWTPayload = { ...claims };
  switch (defect) {
    case "bad-signature":
      return flipSignature(await sign(ctx, c));
    case "alg-none":
      return `${part({ typ: "JWT", alg: "none" })}.${part(c)}.`;
    case "hs256-public-key": {
      // The attack on validators that take the algorithm from the token: the public key, which
      // anyone can read from the JWKS, used as an HMAC secret.
      const secret = createPublicKey(ctx.keys.active.privateKey).export({
        type: "spki",
        format: "pem",
      });
      const input = `${part({ typ: "JWT", alg: "HS256", kid: ctx.keys.active.kid })}.${part(c)}`;
      return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
    }
    case "no-kid":
      return new SignJWT(c)
        .setProtectedHeader({ typ: "JWT", alg: "RS256" })
        .sign(ctx.keys.active.privateKey);
    case "unknown-kid": {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const kid = opaque(20);
      return new SignJWT(c)
        .setProtectedHeader({ typ: "JWT", alg: "RS256", kid, x5t: kid })
        .sign(privateKey);
    }
    case "rotated-kid":
      await ctx.rotateSigningKeys();
      return sign(ctx, c);
    case "wrong-aud":
      c.aud = randomUUID();
      break;
    case "aud-array-foreign-azp": {
      const other = randomUUID();
      c.aud = [input.app.clientId, other];
      c.azp = other;
      break;
    }
    case "wrong-iss":
      c.iss = `https://login.example.invalid/${tid}/v2.0`;
      break;
    case "template-iss":
      c.iss = `${ctx.urls.https}/{tenantid}/v2.0`;
      break;
    case "iss-tenant-mismatch":
      c.iss = issuerV2(ctx, otherTenantOf(ctx, tid).id);
      break;
    case "missing-iat":
    case "missing-sub":
    case "missing-oid":
    case "missing-tid":
    case "missing-nonce":
      delete c[defect.slice("missing-".length)];
      break;
    case "wrong-nonce":
      c.nonce = opaque(16);
      break;
    case "expired":
      Object.assign(c, { iat: now - 2 * HOUR, nbf: now - 2 * HOUR, exp: now - HOUR });
      break;
    case "not-yet-valid":
      Object.assign(c, { nbf: now + HOUR, exp: now + 2 * HOUR });
      break;
    case "iat-future":
      c.iat = now + HOUR;
      break;
    case "v1-issuer":
      Object.assign(c, { iss: issuerV1(tid), ver: "1.0" });
      break;
    case "other-tenant":
      return input.mintFor(otherSubject(ctx, input.subject));
  }
  return sign(ctx, c);
}

function part(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** The same token with the first byte of its signature changed. */
function flipSignature(token: string): string {
  const [header, payload, signature = ""] = token.split(".");
  const bytes = Buffer.from(signature, "base64url");
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  return `${header}.${payload}.${bytes.toString("base64url")}`;
}

function otherTenantOf(ctx: EmulatorContext, tenantId: string) {
  const other = ctx.directory.tenants.find((t) => t.id !== tenantId);
  if (!other) throw new RangeError("this defect needs a second tenant in the emulator's directory");
  return other;
}

/** A user of another tenant, signed in with the same emulator session. */
function otherSubject(ctx: EmulatorContext, subject: Subject): Subject {
  const tenant = otherTenantOf(ctx, subject.tenant.id);
  const user = tenant.users[0];
  if (!user) throw new RangeError(`tenant ${tenant.domain} has no user for an other-tenant token`);
  return { ...subject, user, tenant, groupIds: [] };
}
