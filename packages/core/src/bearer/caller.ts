/** Who called a `requireBearer` route, from the validated access token. */
export interface Caller {
  /**
   * `user`: a delegated token (a person through an app, `scp`); `app`: an app-only token (`roles`;
   * in an Azure AD B2C app, a token holding the route's `roles` in `scp`, as B2C writes them).
   */
  readonly kind: "user" | "app";
  /** The tenant that issued the token (`tid`; for Azure AD B2C, the tenant its issuer names). */
  readonly tenantId: string;
  /**
   * The user's object id, or for an app-only token the calling app's service principal (`oid`;
   * B2C: `oid`, else `sub`, which user flows set to the object id).
   */
  readonly objectId: string;
  /** The calling app's client id (`azp` in v2.0 tokens, `appid` in v1.0). */
  readonly appId: string;
  /** Delegated scopes (`scp`), without the API's `api://…/` prefix; none for an app-only token. */
  readonly scopes: readonly string[];
  /**
   * App roles (`roles`): application permissions of an app, or app roles of a user. For a B2C
   * app's token, the application permissions B2C wrote in `scp`.
   */
  readonly roles: readonly string[];
  /**
   * The token's version: 2 (`…/v2.0` issuer) or 1 (`sts.windows.net`). Azure AD B2C's tokens are 2
   * (their issuer is B2C's v2.0 endpoint) though their `ver` claim says "1.0".
   */
  readonly version: 1 | 2;
  /** When the token expires, in seconds since the epoch (`exp`). */
  readonly expiresAt: number;
  /** Every claim of the validated token (never the token itself). */
  readonly claims: Readonly<Record<string, unknown>>;
}
