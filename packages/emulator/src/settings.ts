/** Lifetimes and limits of what the emulator issues, in seconds. Tests shorten them. */
export interface Lifetimes {
  /** Access tokens (Entra: 60–90 minutes). */
  readonly accessToken: number;
  /** ID tokens (Entra: 1 hour). */
  readonly idToken: number;
  /** Authorization codes (Entra: about 10 minutes). */
  readonly authorizationCode: number;
  /** Refresh tokens unused for this long expire (Entra: 90 days of inactivity). */
  readonly refreshTokenInactivity: number;
  /** The emulator's own sign-in session cookie (SSO). */
  readonly ssoSession: number;
}

export const DEFAULT_LIFETIMES: Lifetimes = {
  accessToken: 3600,
  idToken: 3600,
  authorizationCode: 600,
  refreshTokenInactivity: 90 * 86_400,
  ssoSession: 24 * 3600,
};
