import { type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNetworkClient, EntranceError, trustCertificateAuthority } from "../src/index.js";

let emulator: RunningEmulator;
let discovery: string;
beforeAll(async () => {
  emulator = await startEmulator();
  discovery = `${emulator.urls.https}/organizations/v2.0/.well-known/openid-configuration`;
});
afterAll(async () => {
  await emulator?.stop();
});

describe("the network client Entrance gives MSAL", () => {
  it("trusts the emulator's CA only when told to", async () => {
    await expect(createNetworkClient().sendGetRequestAsync(discovery)).rejects.toMatchObject({
      code: "identity_provider_unavailable",
      message: expect.stringMatching(/certificate/),
    });
    const trusted = createNetworkClient({ trust: trustCertificateAuthority(emulator.caCertPem) });
    const res = await trusted.sendGetRequestAsync<{ issuer: string }>(discovery);
    expect(res.status).toBe(200);
    expect(res.body.issuer).toContain("{tenantid}");
  });

  it("retries a GET after a dropped connection and after a 503", async () => {
    const client = createNetworkClient({ trust: trustCertificateAuthority(emulator.caCertPem) });
    emulator.control.resetCounts();
    emulator.control.queueFault("discovery", { kind: "drop" });
    emulator.control.queueFault("discovery", { kind: "status", status: 503 });
    const res = await client.sendGetRequestAsync(discovery);
    expect(res.status).toBe(200);
    expect(emulator.control.counts().discovery).toBe(3);
  });

  it("gives up after its retries with a clear error", async () => {
    const client = createNetworkClient({
      trust: trustCertificateAuthority(emulator.caCertPem),
      retries: 1,
    });
    emulator.control.queueFault("discovery", { kind: "drop" }, 2);
    await expect(client.sendGetRequestAsync(discovery)).rejects.toBeInstanceOf(EntranceError);
  });

  it("does not retry a POST the server may have seen", async () => {
    const client = createNetworkClient({ trust: trustCertificateAuthority(emulator.caCertPem) });
    emulator.control.resetCounts();
    emulator.control.queueFault("token", { kind: "drop" });
    await expect(
      client.sendPostRequestAsync(`${emulator.urls.https}/organizations/oauth2/v2.0/token`, {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=refresh_token&refresh_token=x",
      }),
    ).rejects.toMatchObject({ code: "identity_provider_unavailable" });
    expect(emulator.control.counts().token).toBe(1);
  });

  it("times out a slow answer, and says so without the query string", async () => {
    const client = createNetworkClient({
      trust: trustCertificateAuthority(emulator.caCertPem),
      timeoutMs: 200,
      retries: 0,
    });
    emulator.control.queueFault("discovery", { kind: "delay", ms: 1000 });
    const error = await client
      .sendGetRequestAsync(`${discovery}?secret=abc`)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "identity_provider_unavailable",
      message: expect.stringMatching(/no answer within 200 ms/),
    });
    expect((error as Error).message).not.toContain("secret=abc");
  });

  it("reports a body that is not JSON once its retries are spent", async () => {
    const client = createNetworkClient({
      trust: trustCertificateAuthority(emulator.caCertPem),
      retries: 1,
    });
    emulator.control.queueFault("discovery", { kind: "malformed" });
    expect((await client.sendGetRequestAsync(discovery)).status).toBe(200);
    emulator.control.queueFault("discovery", { kind: "malformed" }, 2);
    await expect(client.sendGetRequestAsync(discovery)).rejects.toThrow(/not JSON/);
  });

  it("refuses plain http for the identity provider", async () => {
    const client = createNetworkClient({ retries: 0 });
    await expect(
      client.sendGetRequestAsync(
        `${emulator.urls.http}/organizations/v2.0/.well-known/openid-configuration`,
      ),
    ).rejects.toThrow(/only https/);
  });
});
