import type { AppRegistration, DirectoryConfig, User } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { AppInput, UserInput } from "../directory.js";
import { signInCode } from "../protocol/email-otp.js";
import { signUpCode } from "../protocol/external-id.js";
import type { Lifetimes } from "../settings.js";
import { APP_TARGETED_ENDPOINTS, type Endpoint, type Fault } from "./faults.js";

/** The emulator's control interface for tests, in process; the HTTP routes call the same methods. */
export class Control {
  constructor(private readonly ctx: EmulatorContext) {}

  /** A copy of the directory now being served. */
  directory(): DirectoryConfig {
    return this.ctx.directory.toJSON();
  }

  /** Adds a user to a tenant (GUID or domain), or replaces the user with the same id. */
  putUser(tenant: string, user: UserInput): User {
    return this.ctx.directory.putUser(tenant, user);
  }

  /**
   * The one-time code an External ID sign-up last sent to `email` and that is still waiting, or
   * null: what the customer would read in the e-mail.
   */
  signUpCode(email: string): string | null {
    return signUpCode(this.ctx, email) ?? null;
  }

  /**
   * The one-time code an External ID tenant last sent to `email` and that is still waiting, for a
   * sign-in with an e-mail one-time passcode or else for a sign-up, or null: what the customer
   * would read in the e-mail. (An address waits for one or the other: sign-in codes go only to
   * customers, sign-up codes only to addresses without an account.)
   */
  oneTimeCode(email: string): string | null {
    return signInCode(this.ctx, email) ?? signUpCode(this.ctx, email) ?? null;
  }

  removeUser(idOrUpn: string): boolean {
    const found = this.ctx.directory.user(idOrUpn);
    if (!found) return false;
    this.ctx.state.revokeUser(found.value.id);
    return this.ctx.directory.removeUser(found.value.id);
  }

  /** Registers an app in a tenant, or replaces the one with the same client id. */
  putApp(tenant: string, app: AppInput): AppRegistration {
    return this.ctx.directory.putApp(tenant, app);
  }

  /**
   * Revokes every refresh token of a user and ends their emulator sessions, as an administrator's
   * "revoke sessions" does: the next refresh fails with AADSTS50173. Returns how many were revoked.
   */
  revokeRefreshTokens(idOrUpn: string): number {
    const found = this.ctx.directory.user(idOrUpn);
    if (!found) throw new RangeError(`no user "${idOrUpn}" in the emulator's directory`);
    return this.ctx.state.revokeUser(found.value.id);
  }

  /** Records a user's consent to scopes for an app, as the consent page does. */
  grantConsent(idOrUpn: string, clientId: string, scopes: readonly string[]): void {
    const found = this.ctx.directory.user(idOrUpn);
    if (!found) throw new RangeError(`no user "${idOrUpn}" in the emulator's directory`);
    this.ctx.state.grant(found.value.id, clientId, scopes);
  }

  /**
   * Signs with a new key from now on, and each B2C custom policy with a new key of its own. The
   * old keys stay in the JWKS unless `retire` is set, in which case tokens they signed stop
   * verifying. Returns the tenant's new key id.
   */
  async rotateSigningKeys(options: { retire?: boolean } = {}): Promise<string> {
    return (await this.ctx.rotateSigningKeys(options)).kid;
  }

  /** Moves the emulator's clock (codes, tokens and sessions expire by it). */
  shiftClock(seconds: number): void {
    this.ctx.clock.shift(seconds);
  }

  setLifetimes(lifetimes: Partial<Lifetimes>): Lifetimes {
    this.ctx.lifetimes = { ...this.ctx.lifetimes, ...lifetimes };
    return this.ctx.lifetimes;
  }

  /**
   * Queues a fault for the next `times` requests of an endpoint, or with `clientId` for the next
   * requests of that app only (token and authorize endpoints: played once the client is known).
   * An `id_token` fault is for the token endpoint only.
   */
  queueFault(
    endpoint: Endpoint,
    fault: Fault,
    times = 1,
    options: { clientId?: string } = {},
  ): void {
    if (fault.kind === "id_token" && endpoint !== "token")
      throw new RangeError("id_token faults are for the token endpoint only");
    if (options.clientId !== undefined) {
      if (!APP_TARGETED_ENDPOINTS.includes(endpoint))
        throw new RangeError(
          `faults for one app are for ${APP_TARGETED_ENDPOINTS.join(", ")} only`,
        );
      if (!this.ctx.directory.app(options.clientId.toLowerCase()))
        throw new RangeError(`no app "${options.clientId}" in the emulator's directory`);
    }
    this.ctx.faults.add(endpoint, fault, times, options.clientId);
  }

  clearFaults(): void {
    this.ctx.faults.clear();
  }

  /**
   * Requests received per endpoint since the start or the last reset, and per grant type for the
   * token endpoint as `token:authorization_code`, `token:refresh_token`, ...
   */
  counts(): Record<string, number> {
    return this.ctx.counts.snapshot();
  }

  resetCounts(): void {
    this.ctx.counts.reset();
  }
}
