/**
 * `doctor` against a real emulator (in this process, over https with its own CA) and real
 * stores: a good configuration is all green; each wrong configuration or fault is one error
 * finding with its stable code, a fix and a docs link, and the other checks still run.
 */
import { rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  createEntrance,
  createMemoryStore,
  type Entrance,
  toWebRequest,
  trustCertificateAuthority,
  writeWebResponse,
} from "@entrance/core";
import { defaults } from "@entrance/emulator";
import { createTestCertificate } from "@entrance/emulator/testing";
import { migrate } from "@entrance/store-sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireComponent } from "../../emulator/test/support/require.js";
import { doctor, type Finding, hasErrors } from "../src/index.js";
import { closedPort, type EmulatedApp, emulatedApp, strongSecret } from "./support/emulated-app.js";

let app: EmulatedApp;

beforeAll(async () => {
  app = await emulatedApp();
  await migrate(join(app.dir, "entrance.db"));
});

afterAll(async () => {
  await app?.stop();
});

/** Every code the tests saw, each of which docs/doctor.md must explain. */
const seen = new Set<string>();

const run = async (overrides: Record<string, string | undefined> = {}) => {
  const findings = await doctor({ cwd: app.dir, env: app.env(overrides), ca: app.caPath });
  for (const f of findings) seen.add(f.code);
  return findings;
};

const codes = (findings: readonly Finding[]) => findings.map((f) => f.code);
const errors = (findings: readonly Finding[]) =>
  findings.filter((f) => f.severity === "error").map((f) => f.code);
const one = (findings: readonly Finding[], code: string) => {
  const found = findings.find((f) => f.code === code);
  if (!found) throw new Error(`no ${code} among ${codes(findings).join(", ")}`);
  return found;
};

describe("doctor on a good configuration", () => {
  it("finds nothing wrong: authority, issuer, credential, token, clock, database, secret", async () => {
    const findings = await run();
    expect(errors(findings)).toEqual([]);
    expect(hasErrors(findings)).toBe(false);
    expect(codes(findings)).toEqual(
      expect.arrayContaining([
        "secret_strong",
        "config_valid",
        "redirect_uri",
        "credential_secret",
        "authority_ok",
        "credential_works",
        "clock_ok",
        "database_ok",
      ]),
    );
    expect(one(findings, "redirect_uri").message).toContain("http://localhost:3000/auth/callback");
  });

  it("reads .env as the app would, the process environment winning", async () => {
    const env = app.env();
    const fileOnly = ["AZURE_CLIENT_SECRET", "AZURE_AUTHORITY_HOST", "ENTRANCE_GRAPH_URL"];
    await writeFile(
      join(app.dir, ".env"),
      `${fileOnly.map((name) => `${name}=${env[name]}`).join("\n")}\nAZURE_TENANT_ID=not-the-one-used\n`,
    );
    try {
      const processEnv = { ...env };
      for (const name of fileOnly) delete processEnv[name];
      const findings = await doctor({ cwd: app.dir, env: processEnv, ca: app.caPath });
      for (const f of findings) seen.add(f.code);
      expect(errors(findings)).toEqual([]);
      expect(one(findings, "env_file").message).toMatch(/read 3 variable\(s\) from .*\.env/);
    } finally {
      await writeFile(join(app.dir, ".env"), "");
    }
  });

  it("trusts the emulator's CA from .entrance/emulator/ca.pem when the authority is local", async () => {
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(app.dir, ".entrance", "emulator"), { recursive: true });
    await writeFile(join(app.dir, ".entrance", "emulator", "ca.pem"), app.emulator.caCertPem);
    try {
      const findings = await doctor({ cwd: app.dir, env: app.env() });
      for (const f of findings) seen.add(f.code);
      expect(errors(findings)).toEqual([]);
      expect(codes(findings)).toContain("emulator_ca");
    } finally {
      await rm(join(app.dir, ".entrance"), { recursive: true });
    }
  });

  it("names a single-tenant app's tenant id when it is configured by domain", async () => {
    const findings = await run({ AZURE_TENANT_ID: "contoso.onmicrosoft.com" });
    expect(errors(findings)).toEqual([]);
    expect(one(findings, "authority_ok").message).toContain(defaults.contoso);
  });
});

describe("doctor on wrong configurations", () => {
  it("a tenant that does not exist", async () => {
    const findings = await run({ AZURE_TENANT_ID: "0b0e1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d" });
    expect(errors(findings)).toEqual(["authority_tenant_not_found"]);
    const found = one(findings, "authority_tenant_not_found");
    expect(found.fix).toContain("AZURE_TENANT_ID");
    expect(found.docs).toBe("docs/doctor.md#authority_tenant_not_found");
    // Entra's description ends with its own full stop; the message must not add a second one.
    expect(found.message).toMatch(/AADSTS90002/);
    expect(found.message).not.toMatch(/\.\.$/);
  });

  it("an authority nothing answers at", async () => {
    const findings = await run({ AZURE_AUTHORITY_HOST: `https://127.0.0.1:${await closedPort()}` });
    expect(errors(findings)).toEqual(["authority_unreachable"]);
    expect(one(findings, "authority_unreachable").message).toMatch(/ECONNREFUSED/);
  });

  it("an authority whose certificate is not trusted (no --ca)", async () => {
    const findings = await doctor({ cwd: app.dir, env: app.env({ DATABASE_URL: ":memory:" }) });
    expect(errors(findings)).toContain("authority_unreachable");
  });

  it("a secret Entra refuses: AADSTS7000215", async () => {
    const findings = await run({ AZURE_CLIENT_SECRET: "not-the-registered-secret" });
    expect(errors(findings)).toEqual(["secret_invalid"]);
    const found = one(findings, "secret_invalid");
    expect(found.message).toContain("AADSTS7000215");
    expect(found.fix).toMatch(/new one under Certificates & secrets/);
    expect(JSON.stringify(findings)).not.toContain("not-the-registered-secret");
  });

  it("an app id the tenant does not know: AADSTS700016", async () => {
    const findings = await run({ AZURE_CLIENT_ID: "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a" });
    expect(errors(findings)).toEqual(["app_not_found"]);
  });

  it("an expired certificate, and a current one Entra does not know", async () => {
    const day = 86_400_000;
    const old = await createTestCertificate({
      subject: "CN=expired",
      validFrom: new Date(Date.now() - 400 * day),
      validTo: new Date(Date.now() - day),
    });
    const expiredPath = join(app.dir, "expired.pem");
    await writeFile(expiredPath, `${old.certPem}\n${old.keyPem}`);
    const expired = await run({
      AZURE_CLIENT_SECRET: undefined,
      AZURE_CLIENT_CERTIFICATE_PATH: expiredPath,
    });
    expect(errors(expired)).toEqual(["certificate_expired"]);
    expect(one(expired, "certificate_expired").message).toMatch(/expired on/);

    const stranger = await createTestCertificate({ subject: "CN=unregistered" });
    const strangerPath = join(app.dir, "stranger.pem");
    await writeFile(strangerPath, `${stranger.certPem}\n${stranger.keyPem}`);
    const refused = await run({
      AZURE_CLIENT_SECRET: undefined,
      AZURE_CLIENT_CERTIFICATE_PATH: strangerPath,
    });
    expect(codes(refused)).toContain("credential_certificate");
    expect(errors(refused)).toEqual(["certificate_rejected"]);
  });

  it("a certificate that works, and expires within a month", async () => {
    const soon = await createTestCertificate({
      subject: "CN=entrance-web-app",
      validTo: new Date(Date.now() + 10 * 86_400_000),
    });
    const registered = app.emulator.directory.app(defaults.webApp)?.value;
    if (!registered) throw new Error("the emulator has no built-in web app");
    app.emulator.control.putApp(defaults.contoso, { ...registered, certificates: [soon.certPem] });
    const path = join(app.dir, "soon.pem");
    await writeFile(path, `${soon.certPem}\n${soon.keyPem}`);
    try {
      const findings = await run({
        AZURE_CLIENT_SECRET: undefined,
        AZURE_CLIENT_CERTIFICATE_PATH: path,
      });
      expect(errors(findings)).toEqual([]);
      expect(codes(findings)).toEqual(
        expect.arrayContaining(["certificate_expiring", "credential_works"]),
      );
    } finally {
      app.emulator.control.putApp(defaults.contoso, registered);
    }
  });

  it("the identity provider's clock far from ours: its tokens' iat", async () => {
    app.emulator.control.shiftClock(900);
    try {
      const findings = await run();
      expect(errors(findings)).toEqual(["clock_skew"]);
      expect(one(findings, "clock_skew").message).toMatch(/\b(899|900|901) s behind/);
    } finally {
      app.emulator.control.shiftClock(-900);
    }
  });

  it("the identity provider's clock far from ours: its Date header", async () => {
    const { body } = await fetchDiscovery();
    app.emulator.control.queueFault("discovery", {
      kind: "status",
      status: 200,
      headers: { date: new Date(Date.now() - 3_600_000).toUTCString() },
      body,
    });
    const findings = await run();
    expect(errors(findings)).toEqual(["clock_skew"]);
    expect(one(findings, "clock_skew").message).toMatch(/ahead of .*Date header/);
  });

  it("a database nothing answers at, a database without the schema, and a SQLite file that is not there", async () => {
    const port = await closedPort();
    const unreachable = await run({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test` });
    expect(errors(unreachable)).toEqual(["database_unreachable"]);
    expect(JSON.stringify(unreachable)).not.toContain(`127.0.0.1:${port}/test`);

    const fresh = join(app.dir, "fresh.db");
    const { default: Database } = await import("better-sqlite3");
    new Database(fresh).close(); // an empty SQLite file: the app's, before any migration
    const unmigrated = await run({ DATABASE_URL: fresh });
    expect(errors(unmigrated)).toEqual(["database_not_migrated"]);
    expect(one(unmigrated, "database_not_migrated").message).toContain("0001_initial");

    const missing = await run({ DATABASE_URL: join(app.dir, "nowhere", "entrance.db") });
    expect(errors(missing)).toEqual(["database_not_migrated"]);
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(app.dir, "nowhere"))).toBe(false); // doctor created nothing
  });

  it("a Redis server nothing answers at", async () => {
    const findings = await run({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    expect(errors(findings)).toEqual(["redis_unreachable"]);
  });

  it("a weak ENTRANCE_SECRET, while every other check still runs", async () => {
    for (const weak of [
      "a".repeat(40),
      "0123456789".repeat(4),
      "changeme-changeme-changeme-changeme",
      "short",
    ]) {
      const findings = await run({ ENTRANCE_SECRET: weak });
      expect(errors(findings), weak).toEqual(["secret_weak"]);
      expect(codes(findings)).toContain("credential_works");
      expect(JSON.stringify(findings)).not.toContain(weak);
    }
    const rotated = await run({ ENTRANCE_SECRET: `${strongSecret()},${"b".repeat(32)}` });
    expect(one(rotated, "secret_weak").message).toContain("secret 2 of 2");
  });

  it("a configuration the app would refuse: each problem with its variable and fix, nothing else tried", async () => {
    const findings = await run({ AZURE_CLIENT_ID: "not-a-guid", ENTRANCE_BASE_URL: undefined });
    expect(errors(findings)).toEqual(["config_invalid", "config_invalid"]);
    expect(findings.map((f) => f.message).join("\n")).toMatch(
      /AZURE_CLIENT_ID[\s\S]*ENTRANCE_BASE_URL/,
    );
    expect(codes(findings)).not.toContain("authority_ok");
  });

  it("without a base URL: one redirect URI per allowed host, and whether a proxy is trusted", async () => {
    const hosts = {
      ENTRANCE_BASE_URL: undefined,
      ENTRANCE_ALLOWED_HOSTS: "app.example.com,www.example.com",
    };
    const untrusted = await run(hosts);
    expect(errors(untrusted)).toEqual([]);
    expect(one(untrusted, "redirect_uri").message).toContain(
      "https://app.example.com/auth/callback, https://www.example.com/auth/callback",
    );
    expect(codes(untrusted)).toContain("proxy_not_trusted");
    const trusted = await run({ ...hosts, ENTRANCE_TRUST_PROXY: "10.0.0.0/8" });
    expect(one(trusted, "proxy_trusted").message).toContain("10.0.0.0/8");
  });

  it("a base URL with a port behind a proxy, and one with a path", async () => {
    const findings = await run({ ENTRANCE_BASE_URL: "https://app.example.com:8443/portal" });
    expect(codes(findings)).toEqual(expect.arrayContaining(["base_url_port", "base_url_has_path"]));
    expect(one(findings, "redirect_uri").message).toContain(
      "https://app.example.com:8443/auth/callback",
    );
  });
});

/** The emulator's real discovery document for Contoso, to replay with another Date header. */
async function fetchDiscovery(): Promise<{ body: unknown }> {
  const { createNetworkClient, trustCertificateAuthority } = await import("@entrance/core");
  const network = createNetworkClient({ trust: trustCertificateAuthority(app.emulator.caCertPem) });
  const response = await network.sendGetRequestAsync(
    `${app.emulator.urls.https}/${defaults.contoso}/v2.0/.well-known/openid-configuration`,
  );
  return { body: response.body };
}

describe("doctor --probe: what the running app sends", () => {
  let server: Server;
  let port: number;
  let entrance: Entrance | undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? "/";
      const core = entrance;
      if (!core?.ownsPath(new URL(path, "http://x").pathname)) {
        res.statusCode = 404;
        res.end("not found");
        return;
      }
      core
        .handle(toWebRequest(req, path, core.origins.ofNode(req)))
        .then(async (response) => {
          if (response) await writeWebResponse(res, response);
          else res.end();
        })
        .catch(() => res.destroy());
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    port = (server.address() as AddressInfo).port;
    // The deployed app: a real Entrance, whose idea of its origin is http://localhost:{port}.
    entrance = createEntrance({
      env: app.env({ ENTRANCE_BASE_URL: `http://localhost:${port}` }),
      store: createMemoryStore(),
      trust: trustCertificateAuthority(app.emulator.caCertPem),
    });
  });
  afterAll(async () => {
    await entrance?.close();
    server?.close();
  });

  const probe = async (baseUrl: string) => {
    const findings = await doctor({
      cwd: app.dir,
      env: app.env({ ENTRANCE_BASE_URL: baseUrl }),
      ca: app.caPath,
      probe: true,
      skipToken: true,
    });
    for (const f of findings) seen.add(f.code);
    return findings;
  };

  it("the redirect URI the app sends is this configuration's", async () => {
    const findings = await probe(`http://localhost:${port}`);
    expect(errors(findings)).toEqual([]);
    expect(one(findings, "redirect_uri_served").message).toContain(
      `sends browsers to ${new URL(app.emulator.urls.http).origin} with the redirect URI http://localhost:${port}/auth/callback`,
    );
  });

  it("an app that sends another redirect URI than this configuration's", async () => {
    const findings = await probe(`http://127.0.0.1:${port}`);
    expect(errors(findings)).toEqual(["redirect_uri_mismatch"]);
    expect(one(findings, "redirect_uri_mismatch").message).toContain(
      `sends the redirect URI http://localhost:${port}/auth/callback, but this configuration's is http://127.0.0.1:${port}/auth/callback`,
    );
  });

  it("an origin that does not serve Entrance's paths, and one nothing answers at", async () => {
    const held = entrance;
    entrance = undefined; // the server now answers 404 to every path
    try {
      expect(errors(await probe(`http://localhost:${port}`))).toEqual(["sign_in_not_served"]);
    } finally {
      entrance = held;
    }
    const away = await probe(`http://localhost:${await closedPort()}`);
    expect(errors(away)).toEqual([]);
    expect(codes(away)).toContain("app_unreachable");
  });
});

async function redisAnswers(): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((done) => {
    const socket = connect(6379, "127.0.0.1");
    socket.setTimeout(2_000);
    socket.once("connect", () => {
      socket.end();
      done(true);
    });
    socket.once("error", () => done(false));
    socket.once("timeout", () => {
      socket.destroy();
      done(false);
    });
  });
}

const describeWithRedis = requireComponent(
  "Redis",
  await redisAnswers(),
  "apt-get install redis-server && service redis-server start",
);

describeWithRedis("doctor with REDIS_URL", () => {
  it("finds the session side's Redis answering", async () => {
    const findings = await run({ REDIS_URL: "redis://127.0.0.1:6379" });
    expect(errors(findings)).toEqual([]);
    expect(codes(findings)).toContain("redis_ok");
  });
});

// Last in the file: the suites above have run, and `seen` holds every code they met.
describe("docs/doctor.md", () => {
  it("has a section for every finding code the tests above met", async () => {
    const { readFile } = await import("node:fs/promises");
    const page = await readFile(join(import.meta.dirname, "../../../docs/doctor.md"), "utf8");
    const documented = new Set([...page.matchAll(/^### ([a-z0-9_]+)$/gm)].map((m) => m[1]));
    expect(seen.size).toBeGreaterThan(20);
    expect([...seen].filter((code) => !documented.has(code))).toEqual([]);
  });
});
