import {
  createEntrance,
  createMemoryStore,
  type EntranceConfig,
  EntranceError,
  explainAadsts,
  findEntranceError,
  isMultiTenant,
  type TrustedAuthority,
} from "@entrance/core";
import { type Finding, finding } from "../findings.js";
import type { ClockReading } from "./clock.js";
import { firstOrigin } from "./redirect-uri.js";

/** The resource every app may ask an app-only token for, with or without permissions on it. */
const GRAPH_DEFAULT = "https://graph.microsoft.com/.default";

/** What the token check learned. */
export interface TokenResult {
  readonly findings: Finding[];
  /** The token's `iat` against this machine's clock, when a token came. */
  readonly clock?: ClockReading;
}

/** The fix and code for the AADSTS errors a client-credentials request meets. */
const KNOWN: Record<number, { code: string; fix: string }> = {
  7000215: {
    code: "secret_invalid",
    fix: "the client secret is wrong or expired: create a new one under Certificates & secrets and set AZURE_CLIENT_SECRET to its Value (not its Secret ID)",
  },
  7000222: {
    code: "secret_invalid",
    fix: "the client secret expired: create a new one under Certificates & secrets and set AZURE_CLIENT_SECRET to its Value",
  },
  700027: {
    code: "certificate_rejected",
    fix: "Entra does not know this certificate: upload its public part to the app registration (Certificates & secrets), or point AZURE_CLIENT_CERTIFICATE_PATH at the one uploaded",
  },
  50012: {
    code: "certificate_rejected",
    fix: "Entra refused the certificate's client assertion: upload this certificate to the app registration, or point AZURE_CLIENT_CERTIFICATE_PATH at the one uploaded",
  },
  700016: {
    code: "app_not_found",
    fix: "no app with AZURE_CLIENT_ID exists in this tenant: copy the Application (client) ID from the app registration's Overview page, and check AZURE_TENANT_ID",
  },
  90002: {
    code: "authority_tenant_not_found",
    fix: "set AZURE_TENANT_ID to the Directory (tenant) ID shown on the app registration's Overview page",
  },
};

/**
 * Proves the credential works: asks the token endpoint for an app-only token for Microsoft
 * Graph (client credentials), through Entrance itself, as the app would ask (same MSAL client,
 * credential and trust). Entra issues one to every app that authenticates, permissions or not,
 * so a refusal is about the app's identity: AADSTS7000215 is a wrong or expired secret. The
 * token is read for its `iat` only, and dropped.
 */
export async function checkToken(
  config: EntranceConfig,
  env: Readonly<Record<string, string | undefined>>,
  trust: TrustedAuthority | undefined,
  tenantGuid: string | undefined,
  now: () => number = Date.now,
): Promise<TokenResult> {
  const tenantId = isMultiTenant(config)
    ? config.authorization.trustedTenants[0]
    : (tenantGuid ?? config.tenantId);
  if (tenantId === undefined) {
    return {
      findings: [
        finding(
          "token",
          "token_check_skipped",
          "info",
          `a multi-tenant app (${config.tenantId}) gets app-only tokens per tenant, and none is named, so the credential was not tried.`,
          "set ENTRANCE_TRUSTED_TENANTS to your own tenant id to have doctor try the credential there",
        ),
      ],
    };
  }
  const entrance = createEntrance({
    // The app's environment, with the secrets it was read with (a stand-in when they are bad).
    env,
    secrets: [...config.secrets],
    store: createMemoryStore(),
    ...(trust ? { trust } : {}),
    logger: { warn: () => undefined, error: () => undefined },
  });
  try {
    const { token } = await entrance.getAppToken(GRAPH_DEFAULT, { tenantId });
    const receivedAt = now();
    const iat = issuedAt(token);
    return {
      findings: [
        finding(
          "token",
          "credential_works",
          "ok",
          `Entra accepted the app's ${config.clientSecret !== undefined ? "client secret" : "certificate"}: a client-credentials token request in tenant ${tenantId} succeeded.`,
        ),
      ],
      ...(iat === undefined
        ? {}
        : { clock: { source: "token iat", theirs: iat * 1000, ours: receivedAt } }),
    };
  } catch (error) {
    const known = findEntranceError(error);
    const aadsts = known?.aadsts;
    const entry = aadsts === undefined ? undefined : KNOWN[aadsts];
    const reason = (known ?? (error as Error)).message.split("\n")[0];
    if (entry) {
      return {
        findings: [
          finding(
            "token",
            entry.code,
            "error",
            `Entra refused the app's credential: ${reason} (AADSTS${aadsts}).`,
            entry.fix,
          ),
        ],
      };
    }
    const explained =
      aadsts === undefined
        ? undefined
        : explainAadsts(aadsts, {
            redirectUri: `${firstOrigin(config)}${config.paths.callback}`,
            clientId: config.clientId,
          });
    const unavailable =
      known instanceof EntranceError && known.code === "identity_provider_unavailable";
    return {
      findings: [
        finding(
          "token",
          unavailable ? "token_endpoint_unreachable" : "token_request_failed",
          "error",
          `the client-credentials token request failed: ${reason}${aadsts === undefined ? "" : ` (AADSTS${aadsts})`}.`,
          explained?.fix ??
            "check AZURE_CLIENT_ID, AZURE_TENANT_ID and the credential against the app registration",
        ),
      ],
    };
  } finally {
    await entrance.close();
  }
}

/** The `iat` of a JWT (seconds), read without verifying: only its time is used. */
function issuedAt(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
      iat?: unknown;
    };
    return typeof claims.iat === "number" ? claims.iat : undefined;
  } catch {
    return undefined;
  }
}
