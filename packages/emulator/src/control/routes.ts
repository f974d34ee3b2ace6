import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { DirectoryConfigError } from "../config/load.js";
import type { Exchange } from "../http/exchange.js";
import type { Params, Router } from "../http/router.js";
import type { Control } from "./control.js";
import { ENDPOINTS, ID_TOKEN_DEFECTS } from "./faults.js";

const PREFIX = "/_emulator/control";

const faultSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("delay"), ms: z.number().int().min(0).max(120_000) }),
  z.strictObject({
    kind: z.literal("status"),
    status: z.number().int().min(100).max(599),
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  z.strictObject({ kind: z.literal("malformed") }),
  z.strictObject({ kind: z.literal("drop") }),
  z.strictObject({ kind: z.literal("truncated") }),
  z.strictObject({ kind: z.literal("id_token"), defect: z.enum(ID_TOKEN_DEFECTS) }),
  z.strictObject({
    kind: z.literal("error"),
    error: z.string().regex(/^[a-z_]+$/, "an OAuth error code such as interaction_required"),
    aadsts: z.number().int().positive(),
    description: z.string().optional(),
    suberror: z.string().optional(),
    claims: z.string().optional(),
    status: z.number().int().min(400).max(599).optional(),
  }),
]);

const bodies = {
  fault: z.strictObject({
    endpoint: z.enum(ENDPOINTS),
    fault: faultSchema,
    times: z.number().int().min(1).max(1000).default(1),
    clientId: z.string().optional(),
  }),
  clock: z.strictObject({ shiftSeconds: z.number().finite() }),
  rotate: z.strictObject({ retire: z.boolean().default(false) }),
  consent: z.strictObject({ clientId: z.string(), scopes: z.array(z.string()) }),
  lifetimes: z.strictObject({
    accessToken: z.number().int().positive().optional(),
    idToken: z.number().int().positive().optional(),
    authorizationCode: z.number().int().positive().optional(),
    refreshTokenInactivity: z.number().int().positive().optional(),
    ssoSession: z.number().int().positive().optional(),
  }),
};

type Action = (exchange: Exchange, params: Params) => Promise<unknown> | unknown;

/**
 * The HTTP control interface, for tests that run the emulator in another process. Every call needs
 * `Authorization: Bearer <controlKey>` and JSON bodies, so a web page cannot drive it.
 */
export function registerControlRoutes(router: Router, control: Control, controlKey: string): void {
  const expected = Buffer.from(controlKey);
  const guarded = (action: Action) => async (exchange: Exchange, params: Params) => {
    const given = Buffer.from(
      /^Bearer (.+)$/.exec(exchange.header("authorization") ?? "")?.[1] ?? "",
    );
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      exchange.sendJson(401, {
        error: "unauthorized",
        error_description: "send Authorization: Bearer <controlKey>",
      });
      return;
    }
    try {
      const result = await action(exchange, params);
      exchange.sendJson(200, result ?? { ok: true });
    } catch (error) {
      if (error instanceof z.ZodError) {
        exchange.sendJson(400, {
          error: "invalid_request",
          error_description: z.prettifyError(error),
        });
      } else if (error instanceof DirectoryConfigError || error instanceof RangeError) {
        exchange.sendJson(400, { error: "invalid_request", error_description: error.message });
      } else {
        throw error;
      }
    }
  };
  const body = async <T>(exchange: Exchange, schema: z.ZodType<T>) =>
    schema.parse(await exchange.json());

  router
    .on(
      "GET",
      `${PREFIX}/directory`,
      guarded(() => control.directory()),
    )
    .on(
      "PUT",
      `${PREFIX}/tenants/:tenant/users`,
      guarded(async (x, p) => control.putUser(p.tenant ?? "", (await x.json()) as never)),
    )
    .on(
      "GET",
      `${PREFIX}/sign-up-codes/:email`,
      guarded((_, p) => ({ code: control.signUpCode(p.email ?? "") })),
    )
    .on(
      "GET",
      `${PREFIX}/one-time-codes/:email`,
      guarded((_, p) => ({ code: control.oneTimeCode(p.email ?? "") })),
    )
    .on(
      "DELETE",
      `${PREFIX}/users/:user`,
      guarded((_, p) => ({ removed: control.removeUser(p.user ?? "") })),
    )
    .on(
      "PUT",
      `${PREFIX}/tenants/:tenant/apps`,
      guarded(async (x, p) => control.putApp(p.tenant ?? "", (await x.json()) as never)),
    )
    .on(
      "POST",
      `${PREFIX}/users/:user/revoke`,
      guarded((_, p) => ({ revoked: control.revokeRefreshTokens(p.user ?? "") })),
    )
    .on(
      "POST",
      `${PREFIX}/users/:user/consent`,
      guarded(async (x, p) => {
        const { clientId, scopes } = await body(x, bodies.consent);
        control.grantConsent(p.user ?? "", clientId, scopes);
      }),
    )
    .on(
      "POST",
      `${PREFIX}/keys/rotate`,
      guarded(async (x) => ({
        kid: await control.rotateSigningKeys(await body(x, bodies.rotate)),
      })),
    )
    .on(
      "POST",
      `${PREFIX}/clock`,
      guarded(async (x) => control.shiftClock((await body(x, bodies.clock)).shiftSeconds)),
    )
    .on(
      "PATCH",
      `${PREFIX}/lifetimes`,
      guarded(async (x) => control.setLifetimes(dropUndefined(await body(x, bodies.lifetimes)))),
    )
    .on(
      "GET",
      `${PREFIX}/counts`,
      guarded(() => control.counts()),
    )
    .on(
      "DELETE",
      `${PREFIX}/counts`,
      guarded(() => control.resetCounts()),
    )
    .on(
      "POST",
      `${PREFIX}/faults`,
      guarded(async (x) => {
        const { endpoint, fault, times, clientId } = await body(x, bodies.fault);
        control.queueFault(
          endpoint,
          dropUndefined(fault) as never,
          times,
          clientId === undefined ? {} : { clientId },
        );
      }),
    )
    .on(
      "DELETE",
      `${PREFIX}/faults`,
      guarded(() => control.clearFaults()),
    );
}

/** Zod gives absent optional fields as undefined; the options types leave them out instead. */
function dropUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
