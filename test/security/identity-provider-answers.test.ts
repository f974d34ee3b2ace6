/**
 * A hostile or failing identity provider at the callback and behind it: errors sent back to the
 * callback, and a token or JWKS endpoint that fails, hangs, or answers garbage. Entrance
 * (Express, SQLite) refuses with a stable code and keeps nothing; what is transient is retried
 * within its bounds (GETs: two more tries; the code redemption, single-use, not at all) and then
 * reported as the identity provider being unavailable.
 */
import { defaults, type Fault, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectRefused, expectSignedIn, SIGNED_IN } from "./support/refusal.js";
import { type RelyingParty, relyingParty } from "./support/relying-party.js";

let emulator: RunningEmulator;
let rp: RelyingParty | undefined;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterEach(async () => {
  emulator.control.clearFaults();
  await rp?.close();
  rp = undefined;
});
afterAll(async () => {
  await emulator?.stop();
});

const forApp = { clientId: defaults.webApp };

describe("Hostile identity provider: callback errors", () => {
  const REFUSALS = [
    ["access_denied", 65004],
    ["login_required", 50058],
    ["interaction_required", 50076],
    ["consent_required", 65001],
  ] as const;

  for (const [error, aadsts] of REFUSALS) {
    it(`${error} at the callback: refused with identity_provider_error (400) and AADSTS${aadsts}, nothing stored`, async () => {
      rp = await relyingParty(emulator);
      emulator.control.queueFault("authorize", { kind: "error", error, aadsts }, 1, forApp);
      const response = await rp.attempt(SIGNED_IN);
      const body = (await response.clone().json()) as { aadsts?: number; message?: string };
      expect(body.aadsts).toBe(aadsts);
      expect(body.message).toContain(error);
      await expectRefused(rp, response, 400, "identity_provider_error");
    });
  }

  it("temporarily_unavailable at the callback: identity_provider_unavailable (502), nothing stored", async () => {
    rp = await relyingParty(emulator);
    const fault = { kind: "error", error: "temporarily_unavailable", aadsts: 50196 } as const;
    emulator.control.queueFault("authorize", fault, 1, forApp);
    const response = await rp.attempt(SIGNED_IN);
    expect(((await response.clone().json()) as { message: string }).message).toContain(
      "please sign in again in a minute",
    );
    await expectRefused(rp, response, 502, "identity_provider_unavailable");
  });

  it("an error page for a person: the code and the message, escaped, no stack", async () => {
    rp = await relyingParty(emulator);
    const fault = {
      kind: "error",
      error: "access_denied",
      aadsts: 65004,
      description: "<script>alert(1)</script>",
    } as const;
    emulator.control.queueFault("authorize", fault, 1, forApp);
    const response = await rp.attempt(SIGNED_IN, "html");
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("identity_provider_error");
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).not.toMatch(/\bat .+:\d+:\d+/);
  });
});

describe("Hostile identity provider: token and JWKS endpoints", () => {
  async function redeemWith(fault: Fault, times = 1) {
    rp = await relyingParty(emulator);
    emulator.control.queueFault("token", fault, times, forApp);
    emulator.control.resetCounts();
    const response = await rp.attempt(SIGNED_IN);
    return { rp, response, redemptions: emulator.control.counts()["token:authorization_code"] };
  }

  it("token endpoint 503: not retried (the code is single-use), identity_provider_unavailable (502), nothing stored", async () => {
    const fault = { kind: "status", status: 503, body: { error: "server_error" } } as const;
    const { rp, response, redemptions } = await redeemWith(fault);
    expect(((await response.clone().json()) as { message: string }).message).toContain(
      "please sign in again in a minute",
    );
    await expectRefused(rp, response, 502, "identity_provider_unavailable");
    expect(redemptions).toBe(1);
  });

  it("token endpoint answers 200 with malformed JSON: identity_provider_unavailable (502), nothing stored", async () => {
    const { rp, response } = await redeemWith({ kind: "malformed" });
    await expectRefused(rp, response, 502, "identity_provider_unavailable");
  });

  it("token endpoint body truncated: identity_provider_unavailable (502), nothing stored", async () => {
    const { rp, response } = await redeemWith({ kind: "truncated" });
    await expectRefused(rp, response, 502, "identity_provider_unavailable");
  });

  it("token endpoint drops every connection: identity_provider_unavailable (502), nothing stored", async () => {
    const { rp, response } = await redeemWith({ kind: "drop" }, 5);
    await expectRefused(rp, response, 502, "identity_provider_unavailable");
  });

  it("token endpoint silent past the 10 s bound: identity_provider_unavailable (502), nothing stored", async () => {
    const { rp, response } = await redeemWith({ kind: "delay", ms: 15_000 });
    await expectRefused(rp, response, 502, "identity_provider_unavailable");
  }, 40_000);

  it("token endpoint slow but within the bound (1.5 s): signed in", async () => {
    const { rp, response } = await redeemWith({ kind: "delay", ms: 1_500 });
    await expectSignedIn(rp, response);
  });

  it("JWKS endpoint down: three tries, then identity_provider_unavailable (502), nothing stored", async () => {
    rp = await relyingParty(emulator);
    emulator.control.queueFault("keys", { kind: "status", status: 503 }, 10);
    emulator.control.resetCounts();
    const response = await rp.attempt(SIGNED_IN);
    await expectRefused(rp, response, 502, "identity_provider_unavailable");
    expect(emulator.control.counts().keys).toBe(3);
  });
});
