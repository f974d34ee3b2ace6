/**
 * Two copies of core in one process, as Next.js makes them: each route bundles its own copy of
 * @entrance/core, while the app's core lives on `globalThis`, made by whichever route ran first.
 * So a core made by copy A is driven by copy B's adapter functions and guards, and errors thrown
 * by one copy are answered by the other. Here copy A is the source and copy B a second, complete
 * copy of the built code, loaded from its own folder; every request runs against the emulator.
 */
import { cp, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { signInWithoutBrowser } from "@entrance/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Entrance, EntranceContext, Guard } from "../src/index.js";
import { APP_BASE, type CookieJar, fresh, signedInAs } from "./support/emulated.js";

type Core = typeof import("../src/index.js");

const PACKAGE = join(import.meta.dirname, "..");
// Inside the package, so that the copy's bare imports (jose, MSAL) resolve through the
// repository's node_modules as the original's do; .gitignore names the pattern.
const COPY = join(PACKAGE, `.two-copies-${process.pid}`);

let emulator: RunningEmulator;
let copyB: Core;

beforeAll(async () => {
  const built = join(PACKAGE, "dist/index.js");
  await stat(built).catch(() => {
    throw new Error(`${built} is missing: build first (npx tsc -b)`);
  });
  // src/ too, as the package ships it: dist's source maps point there.
  for (const folder of ["dist", "src"]) {
    await cp(join(PACKAGE, folder), join(COPY, folder), { recursive: true });
  }
  await writeFile(join(COPY, "package.json"), '{ "type": "module" }\n');
  copyB = (await import(pathToFileURL(join(COPY, "dist/index.js")).href)) as Core;
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator?.stop();
  await rm(COPY, { recursive: true, force: true });
});

/** A request to the app at `path`, with the cookies of `jar` if given and these headers. */
function page(path: string, jar?: CookieJar, headers: Record<string, string> = {}): Request {
  return new Request(`${APP_BASE}${path}`, {
    headers: { ...(jar ? { cookie: jar.header } : {}), ...headers },
  });
}

/** Copy B's context for the request on copy A's core, as an adapter gets it. */
async function contextByB(core: Entrance, request: Request): Promise<EntranceContext> {
  const context = await copyB.contextOrAnswer(core, request);
  if (context instanceof Response) throw new Error(`no context: ${context.status}`);
  return context;
}

/** Copy B's guards, each as the plain guard an adapter wraps, deciding for copy A's core. */
function guardsByB(core: Entrance) {
  const kit = copyB.adapterGuards<Guard>((guard) => guard);
  kit.remember(core);
  return kit.standalone;
}

describe("a core made by one copy of core, driven by another's adapter functions", () => {
  it("gives a signed-out request its context, and the guards' sign-in answers", async () => {
    const { entrance } = fresh(emulator);
    const context = await contextByB(entrance, page("/orders"));
    expect(context.isSignedIn).toBe(false);
    expect(context.user).toBeNull();

    const guards = guardsByB(entrance);
    const toSignIn = await guards.requireAuth()(context);
    expect(toSignIn?.status).toBe(302);
    expect(toSignIn?.headers.get("location")).toContain("/auth/login");
    const api = await contextByB(
      entrance,
      page("/api/orders", undefined, { accept: "application/json" }),
    );
    expect((await guards.requireRole(defaults.adminRole)(api))?.status).toBe(401);
  });

  it("gives a signed-in request its user, and lets the user through the guards it passes", async () => {
    const { entrance, jar } = await signedInAs(emulator, "megan@contoso.onmicrosoft.com");
    const context = await contextByB(entrance, page("/orders", jar));
    expect(context.user?.username).toBe("megan@contoso.onmicrosoft.com");

    const guards = guardsByB(entrance);
    expect(await guards.requireAuth()(context)).toBeNull();
    expect(await guards.requireRole(defaults.adminRole)(context)).toBeNull();
  });

  it("refuses a signed-in user a role they do not hold (403)", async () => {
    const { entrance, jar } = await signedInAs(emulator, "adele@contoso.onmicrosoft.com");
    const context = await contextByB(entrance, page("/admin", jar));
    expect(context.user?.username).toBe("adele@contoso.onmicrosoft.com");
    const answer = await guardsByB(entrance).requireRole(defaults.adminRole)(context);
    expect(answer?.status).toBe(403);
  });

  it("admits a valid bearer token through copy B's guard, and the caller is on the context", async () => {
    const { entrance } = fresh(emulator);
    const { accessToken } = await signInWithoutBrowser(emulator, {
      user: "megan@contoso.onmicrosoft.com",
      scopes: [`api://${defaults.webApp}/Orders.Read`],
    });
    const readOrders = guardsByB(entrance).requireBearer({ scopes: ["Orders.Read"] });
    const headers = { accept: "application/json", authorization: `Bearer ${accessToken}` };
    const context = await contextByB(entrance, page("/api/orders", undefined, headers));
    expect(await readOrders(context)).toBeNull();
    expect(context.caller).toMatchObject({ objectId: defaults.users.admin, kind: "user" });

    const anonymous = await contextByB(
      entrance,
      page("/api/orders", undefined, { accept: "application/json" }),
    );
    expect((await readOrders(anonymous))?.status).toBe(401);
    expect(anonymous.caller).toBeNull();
  });
});

describe("Entrance errors thrown by one copy, answered by the other", () => {
  it("is a copy indeed, whose EntranceError an app's instanceof still knows", async () => {
    const copyA: Core = await import("../src/index.js");
    expect(copyB.EntranceError).not.toBe(copyA.EntranceError);
    const fromA = new copyA.EntranceError("store_failed", "The store failed.");
    expect(fromA).toBeInstanceOf(copyB.EntranceError);
    expect(new copyB.EntranceError("store_failed", "…")).toBeInstanceOf(copyA.EntranceError);
    expect(new Error("other")).not.toBeInstanceOf(copyB.EntranceError);
    // A subclass of the app's own still means only its own errors.
    class OrdersError extends copyB.EntranceError {}
    expect(new OrdersError("store_failed", "…")).toBeInstanceOf(copyA.EntranceError);
    expect(fromA).not.toBeInstanceOf(OrdersError);
  });

  it("sends the user to consent when copy A's getAccessToken needs it (copy B's answer)", async () => {
    const { entrance, jar } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const context = await contextByB(entrance, page("/calendar", jar));
    const error = await context.getAccessToken(["Calendars.Read"]).catch((e: unknown) => e);

    const answer = copyB.entranceErrorAnswer(error, context);
    expect(answer?.status).toBe(302);
    expect(answer?.headers.get("location")).toContain("/auth/login");
    expect(copyB.signInUrlFor(entrance, error, "/calendar")).toContain("/auth/login");
  });

  it("answers an error the app made with copy B's class by its code, not as an outage", async () => {
    const { entrance, jar } = await signedInAs(emulator, "megan@contoso.onmicrosoft.com");
    const context = await contextByB(
      entrance,
      page("/orders", jar, { accept: "application/json" }),
    );
    const error = new copyB.EntranceError("reauthentication_required", "Sign in again.");

    const answer = copyB.entranceErrorAnswer(error, context);
    expect(answer?.status).toBe(401);
    expect(await answer?.json()).toMatchObject({ error: "reauthentication_required" });
  });
});
