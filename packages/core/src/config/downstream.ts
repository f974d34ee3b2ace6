/**
 * The `downstreamApis` setting: APIs the app calls by name, each with the one origin and path its
 * token may go to. Validated here, once, with the rest of the configuration.
 */
import { z } from "zod";

/** Hosts on which a downstream API may be plain http: the emulator and local development. */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** A name an app can write in code and a log can show: letters, digits, `.`, `_`, `-`. */
const NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

/**
 * A path that a server might read as another path once decoded: an encoded `/`, `\` or dot
 * segment. Refused in a base URL (and in every request path, see downstream/target.ts).
 */
export const ENCODED_SEPARATOR = /%2f|%5c/i;

const BASE_URL_FIX =
  "must be an https URL such as https://api.contoso.com/v1/ (plain http only on localhost, " +
  "127.0.0.1 or [::1]), without credentials, query or fragment";

/** Checks a base URL and gives it with a path that ends in `/`, so paths resolve below it. */
const baseUrlSchema = z.string({ error: `baseUrl ${BASE_URL_FIX}` }).transform((value, ctx) => {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  const secure =
    url?.protocol === "https:" || (url?.protocol === "http:" && LOOPBACK.has(url.hostname));
  // The raw string, not the parsed URL: `https://api/?` parses to an empty search.
  const bare =
    url !== undefined &&
    !url.username &&
    !url.password &&
    !value.includes("?") &&
    !value.includes("#") &&
    !value.includes("\\") &&
    !ENCODED_SEPARATOR.test(url.pathname);
  if (!url || !secure || !bare) {
    // Never the value itself: a URL with credentials in it would put them in a log.
    ctx.addIssue({ code: "custom", message: BASE_URL_FIX });
    return z.NEVER;
  }
  if (!url.pathname.endsWith("/")) url.pathname = `${url.pathname}/`;
  return url.href;
});

/** One downstream API. */
const downstreamApiSchema = z.strictObject({
  /**
   * Where the API is: its origin and the path its routes are under. The token goes to this
   * origin, to paths under this path, and nowhere else.
   */
  baseUrl: baseUrlSchema,
  /** The scopes of its token: delegated scopes, or for `as: "app"` one resource's `.default`. */
  scopes: z
    .union([z.string(), z.array(z.string())], {
      error: 'scopes must list the API\'s scopes, e.g. ["api://orders-api/Orders.Read"]',
    })
    .transform((v) => [
      ...new Set((Array.isArray(v) ? v : v.split(/\s+/)).map((s) => s.trim()).filter(Boolean)),
    ])
    .pipe(
      z
        .array(z.string())
        .min(1, 'scopes must list the API\'s scopes, e.g. ["api://orders-api/Orders.Read"]'),
    ),
  /**
   * Whose token: `"user"` (default) — the signed-in user's, or on a `requireBearer` route the
   * caller's by on-behalf-of — or `"app"`, the app's own (client credentials).
   */
  as: z.enum(["user", "app"], { error: 'as must be "user" or "app"' }).default("user"),
  /** For `as: "app"`: the tenant to act in; required when the app's tenantId is multi-tenant. */
  tenantId: z.string().min(1).optional(),
});

/** The `downstreamApis` setting: each API by its name. */
export const downstreamApisSchema = z
  .record(z.string(), downstreamApiSchema)
  .superRefine((apis, ctx) => {
    for (const [name, api] of Object.entries(apis)) {
      // Checked here, not by the record's key schema, whose message would not name the fix.
      if (!NAME.test(name)) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message:
            "an API's name starts with a letter and has up to 64 letters, digits, '.', '_' or '-'",
        });
      }
      if (api.as === "app") {
        const defaults = api.scopes.filter((s) => s.endsWith("/.default"));
        if (api.scopes.length !== 1 || defaults.length !== 1) {
          ctx.addIssue({
            code: "custom",
            path: [name, "scopes"],
            message:
              'an app token is for one resource\'s ".default" scope, e.g. ["api://orders-api/.default"]',
          });
        }
      } else if (api.tenantId !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [name, "tenantId"],
          message:
            'tenantId is for as: "app" only: a user\'s token comes from the tenant they signed in to',
        });
      }
    }
  })
  .default({});

/** One configured downstream API, as validated. */
export type DownstreamApiConfig = z.output<typeof downstreamApiSchema>;
