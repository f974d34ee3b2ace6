/** The app role an administrator must hold when none is configured. */
export const DEFAULT_ADMIN_ROLE = "Entrance.Admin";

/** An administrator signs in again after an hour, unless configured otherwise. */
const DEFAULT_MAX_AUTHENTICATION_AGE = 3600;

/** Options of {@link createAdmin}. */
export interface AdminOptions {
  /** The app role (the token's `roles`) an administrator must hold; default `Entrance.Admin`. */
  readonly adminRole?: string;
  /** Where the panel is mounted, e.g. `/admin`: every page and action is served under it. */
  readonly basePath: string;
  /** Rows per page of the users list and the audit log, 1 to 200; default 25. */
  readonly pageSize?: number;
  /**
   * Seconds since an administrator signed in after which the panel sends them through sign-in
   * again (60 to 86,400; default 3,600). Roles come from the ID token of that sign-in, so this is
   * how late a removed role or a disabled Entra account can still open the panel.
   */
  readonly maxAuthenticationAge?: number;
}

/** Options after validation. */
export interface ResolvedAdminOptions {
  readonly adminRole: string;
  readonly basePath: string;
  readonly pageSize: number;
  readonly maxAuthenticationAge: number;
}

/** Validates the options once, at start-up; a bad value throws a TypeError naming the fix. */
export function resolveOptions(options: AdminOptions): ResolvedAdminOptions {
  const adminRole = options.adminRole ?? DEFAULT_ADMIN_ROLE;
  if (typeof adminRole !== "string" || adminRole.trim() === "") {
    throw new TypeError(
      `adminRole must be the value of an app role, such as "${DEFAULT_ADMIN_ROLE}"`,
    );
  }
  const basePath = String(options.basePath ?? "").replace(/\/+$/, "");
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)) {
    throw new TypeError(`basePath must be a path such as "/admin", got "${options.basePath}"`);
  }
  const pageSize = options.pageSize ?? 25;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200) {
    throw new TypeError(`pageSize must be a whole number from 1 to 200, got ${pageSize}`);
  }
  const maxAuthenticationAge = options.maxAuthenticationAge ?? DEFAULT_MAX_AUTHENTICATION_AGE;
  if (
    !Number.isInteger(maxAuthenticationAge) ||
    maxAuthenticationAge < 60 ||
    maxAuthenticationAge > 86_400
  ) {
    throw new TypeError(
      `maxAuthenticationAge must be whole seconds from 60 to 86400, got ${maxAuthenticationAge}`,
    );
  }
  return Object.freeze({ adminRole, basePath, pageSize, maxAuthenticationAge });
}
