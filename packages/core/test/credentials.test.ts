/**
 * Credentials without secrets: a certificate (a PEM file with the key) and a client-assertion
 * callback, each used for sign-in and refresh against the emulator, which checks them as Entra
 * does; and exactly one credential, checked at start-up.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import {
  createTestCertificate,
  signClientAssertion,
  type TestCertificate,
} from "@entrance/emulator/testing";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore, type UserKey } from "../src/index.js";
import { browse, entranceFor, fresh, signedInAs, startSignIn } from "./support/emulated.js";

const LEE: UserKey = { tenantId: defaults.contoso, objectId: defaults.users.member };
let emulator: RunningEmulator;
let folder: string;
let registered: TestCertificate;
let unregistered: TestCertificate;
let pemPath: string;

beforeAll(async () => {
  emulator = await startEmulator();
  folder = await mkdtemp(join(tmpdir(), "entrance-credentials-"));
  registered = await createTestCertificate({ subject: "CN=entrance-web-app" });
  unregistered = await createTestCertificate({ subject: "CN=somebody-else" });
  const app = emulator.directory.app(defaults.webApp)?.value;
  if (!app) throw new Error("the emulator has no built-in web app");
  emulator.control.putApp(defaults.contoso, { ...app, certificates: [registered.certPem] });
  pemPath = join(folder, "web-app.pem");
  await writeFile(pemPath, `${registered.certPem}\n${registered.keyPem}`);
});

afterAll(async () => {
  await emulator?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** The method Entra saw the app authenticate with, from the access token (2: certificate). */
const clientAuth = (token: string) => {
  const claims = decodeJwt(token);
  return String(claims.azpacr ?? claims.appidacr);
};

describe("a certificate instead of a secret", () => {
  it("signs in and refreshes with the certificate from AZURE_CLIENT_CERTIFICATE_PATH", async () => {
    const { entrance } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com", {
      clientSecret: undefined,
      env: { AZURE_CLIENT_CERTIFICATE_PATH: pemPath },
    });
    const first = await entrance.getAccessToken(LEE, ["User.Read"]);
    expect(clientAuth(first.token)).toBe("2");
    const refreshed = await entrance.getAccessToken(LEE, ["User.Read"], { forceRefresh: true });
    expect(refreshed.token).not.toBe(first.token);
    expect(clientAuth(refreshed.token)).toBe("2");
  });

  it("fails the sign-in with Entra's AADSTS700027 when the certificate is not the app's", async () => {
    const path = join(folder, "other.pem");
    await writeFile(path, `${unregistered.certPem}\n${unregistered.keyPem}`);
    const { entrance, jar, store } = fresh(emulator, {
      clientSecret: undefined,
      clientCertificatePath: path,
    });
    const callback = await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com");
    const answer = await browse(entrance, jar, callback);
    expect(answer.status).toBe(502);
    const page = await answer.text();
    expect(page).toContain("token_request_failed");
    expect(page).toContain("700027");
    expect(await store.users.get(LEE.tenantId, LEE.objectId)).toBeNull();
  });
});

describe("a client assertion callback", () => {
  it("signs in and refreshes with assertions the callback makes for each token request", async () => {
    const audiences: string[] = [];
    const { entrance } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com", {
      clientSecret: undefined,
      clientAssertion: ({ clientId, tokenEndpoint }) => {
        audiences.push(tokenEndpoint);
        return signClientAssertion(registered, { clientId, audience: tokenEndpoint });
      },
    });
    const first = await entrance.getAccessToken(LEE, ["User.Read"]);
    await entrance.getAccessToken(LEE, ["User.Read"], { forceRefresh: true });
    expect(clientAuth(first.token)).toBe("2");
    expect(audiences.length).toBeGreaterThanOrEqual(1);
    expect(audiences.every((aud) => aud.endsWith("/oauth2/v2.0/token"))).toBe(true);
  });
});

describe("exactly one credential, checked at start-up", () => {
  const start = (overrides: Parameters<typeof entranceFor>[2]) => () =>
    entranceFor(emulator, createMemoryStore(), overrides);

  it("refuses none, naming every way to give one", () => {
    expect(start({ clientSecret: undefined })).toThrow(
      /AZURE_CLIENT_SECRET.*AZURE_CLIENT_CERTIFICATE_PATH.*clientAssertion/s,
    );
  });

  it("refuses a secret and a certificate together", () => {
    expect(start({ clientCertificatePath: pemPath })).toThrow(
      /clientSecret \(AZURE_CLIENT_SECRET\) and clientCertificatePath .* are both set/,
    );
  });

  it("refuses a file it cannot read, without a key, with a key of another certificate, or expired", async () => {
    const without = join(folder, "cert-only.pem");
    await writeFile(without, registered.certPem);
    const mismatched = join(folder, "mismatched.pem");
    await writeFile(mismatched, `${registered.certPem}\n${unregistered.keyPem}`);
    const old = await createTestCertificate({
      validFrom: new Date(Date.now() - 10 * 86_400_000),
      validTo: new Date(Date.now() - 86_400_000),
    });
    const expired = join(folder, "expired.pem");
    await writeFile(expired, `${old.certPem}\n${old.keyPem}`);
    const cert = (path: string) => start({ clientSecret: undefined, clientCertificatePath: path });
    expect(cert(join(folder, "missing.pem"))).toThrow(/cannot be read \(ENOENT\)/);
    expect(cert(without)).toThrow(/no private key found/);
    expect(cert(mismatched)).toThrow(/does not belong to its certificate/);
    expect(cert(expired)).toThrow(/expired on/);
    // The file's contents (the private key) never appear in the message.
    try {
      cert(mismatched)();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain("PRIVATE KEY");
    }
  });
});
