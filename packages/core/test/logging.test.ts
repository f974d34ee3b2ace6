import { Console } from "node:console";
import { Writable } from "node:stream";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { signInWithoutBrowser } from "@entrance/emulator/testing";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findTokens } from "../../../scripts/token-scan.mjs";
import { type Logger, redactText, type UserKey } from "../src/index.js";
import { browse, fresh, SECRET, startSignIn } from "./support/emulated.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(() => {
  emulator.control.setLifetimes({ accessToken: 3600 });
  emulator.control.clearFaults();
});

const LEE: UserKey = { tenantId: defaults.contoso, objectId: defaults.users.member };

/** A stream that keeps every line written to it. */
function lines(): { stream: Writable; lines: string[] } {
  const kept: string[] = [];
  let rest = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      const text = rest + String(chunk);
      const parts = text.split("\n");
      rest = parts.pop() ?? "";
      kept.push(...parts);
      done();
    },
  });
  return { stream, lines: kept };
}

/**
 * A sign-in, a refresh, a sign-in Entra refuses with an AADSTS code, and a sign-in whose
 * `onSignIn` hook fails with an error quoting the user's tokens (a careless app): what Entrance
 * logs for each. Returns what a log must never contain.
 */
async function signInRefreshAndFail(logger: Logger): Promise<string[]> {
  const secrets: string[] = [defaults.webAppSecret, SECRET];
  // Tokens of 60 s are refreshed at once (MSAL's 5 minutes of margin).
  emulator.control.setLifetimes({ accessToken: 60 });
  const { entrance, jar } = fresh(emulator, { logger });
  const callback = await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com");
  secrets.push(new URL(callback).searchParams.get("code") ?? "missing");
  expect((await browse(entrance, jar, callback)).status).toBe(302);
  secrets.push(...jar.header.split("; ").map((pair) => pair.split("=")[1] ?? ""));
  const token = await entrance.getAccessToken(LEE, ["User.Read"]);
  secrets.push(token.token);

  const login = await browse(entrance, jar, "/auth/login");
  const state = new URL(login.headers.get("location") ?? "").searchParams.get("state");
  const refused = await browse(
    entrance,
    jar,
    `/auth/callback?state=${state}&error=access_denied&error_description=${encodeURIComponent(
      "AADSTS65004: User declined to consent to access the app.",
    )}`,
  );
  expect(refused.status).toBeGreaterThanOrEqual(400);

  const careless = fresh(emulator, {
    logger,
    onSignIn: ({ tokens }) => {
      secrets.push(tokens.accessToken, tokens.idToken);
      throw new Error(
        `could not save tokens: Authorization: Bearer ${tokens.accessToken}; id_token=${tokens.idToken}`,
      );
    },
  });
  const hook = await startSignIn(
    emulator,
    careless.entrance,
    careless.jar,
    "lee@contoso.onmicrosoft.com",
  );
  secrets.push(new URL(hook).searchParams.get("code") ?? "missing");
  const crashed = await browse(careless.entrance, careless.jar, hook);
  expect(crashed.status).toBeGreaterThanOrEqual(500);
  return secrets.filter((s) => s.length >= 16);
}

describe("the structured log, with pino and with console", () => {
  it("gives pino JSON lines with stable events, and none carries a token, code, secret or cookie", async () => {
    const out = lines();
    const logger = pino({ level: "debug" }, out.stream);
    const secrets = await signInRefreshAndFail(logger);

    const entries = out.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const events = entries.map((e) => e.event);
    expect(events).toEqual(
      expect.arrayContaining(["sign_in", "token_refreshed", "sign_in_failed", "request_failed"]),
    );
    expect(entries.find((e) => e.event === "sign_in_failed")).toMatchObject({
      level: 30,
      errorCode: "identity_provider_error",
      aadsts: 65004,
      msg: "entrance: a sign-in failed",
    });
    const failed = entries.find((e) => e.event === "request_failed");
    expect(failed).toMatchObject({ level: 50, msg: "entrance: request failed" });
    // The hook's message is kept, the tokens it quoted are not.
    expect(JSON.stringify(failed)).toContain(
      "could not save tokens: Authorization: Bearer [redacted]",
    );

    const text = out.lines.join("\n");
    expect(findTokens(text)).toEqual([]);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it("writes the same through a console, redacted", async () => {
    const out = lines();
    const logger = new Console({ stdout: out.stream, stderr: out.stream });
    const secrets = await signInRefreshAndFail(logger);
    const text = out.lines.join("\n");
    expect(text).toContain("entrance: request failed");
    expect(text).toContain("could not save tokens");
    expect(findTokens(text)).toEqual([]);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it("accepts a logger with only warn and error, which gets failures and nothing else", async () => {
    const seen: string[] = [];
    const logger: Logger = {
      warn: (_fields, message) => seen.push(message),
      error: (_fields, message) => seen.push(message),
    };
    await signInRefreshAndFail(logger);
    expect(seen).toEqual(["entrance: request failed"]);
  });
});

describe("redaction", () => {
  it("cuts tokens, codes, secrets and cookies out of text, and leaves ordinary words", async () => {
    const real = await signInWithoutBrowser(emulator, { user: "lee@contoso.onmicrosoft.com" });
    const text = [
      `access ${real.accessToken}`,
      `refresh ${real.refreshToken}`,
      "GET /auth/callback?code=0.AXkAxyz123&state=abcDEF123 HTTP/1.1",
      "client_secret=s3cr3t-value&client_assertion=abc.def.ghi",
      "cookie: entrance-session=AbCdEf0123456789; __Host-entrance-binding=xyz987",
      `authorization: Bearer ${"a".repeat(40)}`,
      "bearer tokens cannot be checked: the signing keys are unavailable",
    ].join("\n");
    const redacted = redactText(text);
    expect(findTokens(redacted)).toEqual([]);
    for (const gone of [
      "0.AXkAxyz123",
      "abcDEF123",
      "s3cr3t-value",
      "abc.def.ghi",
      "AbCdEf0123456789",
      "xyz987",
      "a".repeat(40),
    ]) {
      expect(redacted).not.toContain(gone);
    }
    expect(redacted).toContain("code=[redacted]&state=[redacted]");
    expect(redacted).toContain("entrance-session=[redacted]");
    expect(redacted).toContain("Bearer [redacted]");
    expect(redacted).toContain("bearer tokens cannot be checked: the signing keys are unavailable");
  });
});
