/**
 * `requireBearer` wired to a core: one validator per core, shared by every bearer guard (its keys
 * and verified tokens), and each route's policy, from the core's configuration — Entra ID's issuer
 * rule for the kind of app, or B2C's policies, each with its own metadata and keys.
 */
import type { TenantTrust } from "../authz/trust.js";
import { isExternalId, issuerKindProblem } from "../config/external-id.js";
import type { Guard } from "../guards.js";
import type { Runtime } from "../runtime.js";
import { buildBearerGuard } from "./guard.js";
import { type BearerOptions, BearerPolicy } from "./policy.js";
import { BearerValidator } from "./validator.js";

/** The bearer guards of one core. */
export class CoreBearer {
  #validator: BearerValidator | undefined;

  constructor(
    private readonly rt: Runtime,
    private readonly trust: TenantTrust,
  ) {}

  /** A guard for one route; the validator is made with the first. */
  guard(options: BearerOptions): Guard {
    const { config, logger } = this.rt;
    const policy = new BearerPolicy(options, {
      externalId: !config.b2c && isExternalId(config),
      b2c: config.b2c !== undefined,
      clientId: config.clientId,
      trusts: (tenantId) => this.trust.trusts(tenantId),
      trustsNoTenant: this.trust.trustsNoTenant,
    });
    this.#validator ??= this.#validatorFor();
    return buildBearerGuard(this.#validator, policy, this.trust, logger);
  }

  #validatorFor(): BearerValidator {
    const { config, metadata } = this.rt;
    const { b2c } = config;
    const b2cAuthorities = this.rt.b2c;
    return new BearerValidator({
      authorityHost: config.authorityHost,
      clockSkew: config.clockSkew,
      metadata,
      ...(b2c
        ? {
            b2cPolicies: [b2c.signUpSignIn, b2c.resetPassword, b2c.editProfile].filter(
              (p): p is string => p !== undefined,
            ),
            // Each policy's own metadata and keys: a custom policy signs with a key of its own.
            ...(b2cAuthorities ? { b2cMetadata: (p: string) => b2cAuthorities.metadata(p) } : {}),
          }
        : { issuerKind: (iss: string, tid: string) => issuerKindProblem(config, iss, tid) }),
    });
  }
}
