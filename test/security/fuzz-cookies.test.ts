/**
 * Property-based fuzzing of cookie parsing end to end: Cookie headers of any text sent over real
 * HTTP to an Express app (Node's parser, the adapter's translation, the core's reader and session
 * lookup), with and around a real session cookie. Never a 5xx, and a session is only ever the one
 * its own cookie names.
 */
import { request as httpRequest } from "node:http";
import { defaults } from "@entrance/emulator";
import { requireAuth } from "@entrance/express";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../packages/express/test/support/app.js";
import { fuzzRuns } from "./support/fuzz.js";

let app: TestApp;
/** Lee's real session cookie, `entrance-session=…`. */
let lee: string;

beforeAll(async () => {
  app = await startTestApp((express) => {
    express.get("/me", requireAuth(), (req, res) => {
      res.json({ oid: req.entrance.user?.objectId });
    });
  });
  lee = (await app.signIn("lee@contoso.onmicrosoft.com"))
    .split("; ")
    .find((pair) => pair.startsWith("entrance-session=")) as string;
}, 60_000);

afterAll(async () => {
  await app?.close();
});

/** A request with exactly these headers (Node's client takes any byte but CR, LF and NUL). */
function send(
  path: string,
  headers: Record<string, string>,
  method = "GET",
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      new URL(path, app.base),
      { method, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    sent.on("error", reject);
    sent.end();
  });
}

/** GET /me with exactly this Cookie header. */
const me = (cookie: string) => send("/me", { cookie, accept: "application/json" });

/** Header text: printable ASCII and Latin-1, tabs and the cookie syntax's own characters. */
const cookieText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(";", "=", " ", "\t", '"', ",", "%", "\\"),
    fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 200,
});

describe("Fuzzing", () => {
  it("a Cookie header of any text, with or without a real session cookie among it, never signs in anyone else and is never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        cookieText,
        cookieText,
        fc.boolean(),
        fc.constantFrom("; ", ";", " ; ", ";\t"),
        async (before, after, withLee, separator) => {
          const header = withLee ? `${before}${separator}${lee}${separator}${after}` : before;
          const { status, body } = await me(header);
          expect([200, 401]).toContain(status);
          if (status === 200) expect(JSON.parse(body)).toEqual({ oid: defaults.users.member });
          // The real cookie, with nothing before it that claims its name, is always read.
          if (withLee && !before.includes("entrance-session")) expect(status).toBe(200);
          if (!withLee) expect(status).toBe(401);
        },
      ),
      fuzzRuns(800),
    );
  });

  it("a Cookie header of up to 16 KB, or many cookies of the session's name, is answered without a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.constantFrom("entrance-session", "entrance-binding", "x"),
        fc.integer({ min: 1, max: 40 }),
        async (count, name, length) => {
          const header = Array.from(
            { length: count },
            (_, i) => `${name}=${"v".repeat(length)}${i}`,
          ).join("; ");
          const { status } = await me(header);
          // Node refuses a header section over its limit (16 KB) with 431; anything else is ours.
          expect([401, 431]).toContain(status);
        },
      ),
      fuzzRuns(200),
    );
  });

  it("Entrance's own routes (callback, sign-out) answer a Cookie header of any text with their usual refusal or redirect, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(cookieText, fc.boolean(), async (cookie, signOut) => {
        if (signOut) {
          const { status } = await send(
            "/auth/logout",
            { cookie, origin: app.base, "sec-fetch-site": "same-origin" },
            "POST",
          );
          expect(status).toBe(303);
        } else {
          const { status } = await send("/auth/callback?state=s&code=c", { cookie });
          expect(status).toBe(400);
        }
      }),
      fuzzRuns(300),
    );
  });
});
