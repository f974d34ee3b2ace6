import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { defaults, externalDefaults } from "../src/index.js";
import { request, routeCiamHostsThrough } from "../src/testing/index.js";

const ROOT = join(import.meta.dirname, "../../..");
const CLI = join(ROOT, "packages/emulator/dist/cli.js");
const run = promisify(execFile);
const children: ChildProcess[] = [];

beforeAll(async () => {
  // `npx entrance-emulator` runs bin/entrance-emulator.js, which runs the built file: build it
  // first (once, here, so that no two test files of this package build it at the same time).
  await run(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-b", "packages/emulator"],
    { cwd: ROOT },
  );
}, 120_000);

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGTERM");
});

/** Whether nothing listens on the port of 127.0.0.1. */
function portFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

interface Described {
  hostProxy?: string;
  http: string;
  https: string;
  pages: string;
  caCertPath: string;
  controlKey: string;
  tenants: { id: string; domain: string }[];
  apps: { clientId: string; clientSecret: string; redirectUris: string[] }[];
  users: { id: string; upn: string; displayName: string }[];
}

/** Starts the CLI with --json and reads its one line. */
async function startCli(
  dataDir: string,
  extra: readonly string[] = [],
): Promise<{ child: ChildProcess; info: Described }> {
  const child = spawn(
    process.execPath,
    [CLI, "--json", "--port", "0", "--https-port", "0", "--data-dir", dataDir, ...extra],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await Promise.race([
    new Promise((resolve) => lines.once("line", (l) => resolve([l]))),
    new Promise((_, reject) =>
      child.once("exit", (code) => reject(new Error(`CLI exited with ${code}`))),
    ),
  ])) as [string];
  return { child, info: JSON.parse(line) as Described };
}

describe("entrance-emulator CLI", () => {
  it("prints one JSON line that lets another process trust and use it", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "entrance-cli-"));
    const { child, info } = await startCli(dataDir);
    expect(info.http).toMatch(/^http:\/\/localhost:\d+$/);
    expect(info.https).toMatch(/^https:\/\/localhost:\d+$/);
    expect(info.pages).toBe(info.http);
    expect(info.caCertPath).toBe(join(dataDir, "ca.pem"));
    expect(info.tenants.map((t) => t.domain)).toEqual([
      "contoso.onmicrosoft.com",
      "fabrikam.onmicrosoft.com",
      "contosocustomers.onmicrosoft.com",
      "contosob2c.onmicrosoft.com",
      "live.com",
    ]);
    expect(info.apps[0]).toMatchObject({
      clientId: defaults.webApp,
      clientSecret: defaults.webAppSecret,
    });
    expect(info.apps[0]?.redirectUris).toContain("http://localhost:3000/auth/callback");
    expect(info.users.map((u) => u.upn)).toContain("megan@contoso.onmicrosoft.com");

    // The documented way for Node clients: NODE_EXTRA_CA_CERTS, then plain fetch over https.
    const script = `const r = await fetch(${JSON.stringify(`${info.https}/organizations/v2.0/.well-known/openid-configuration`)}); console.log((await r.json()).issuer);`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: info.caCertPath },
    });
    expect(stdout.trim()).toBe(`${info.https}/{tenantid}/v2.0`);

    const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    await expect(exited).resolves.toBe(0);
  });

  it("--https-pages lists the pages' https URL, which the metadata advertises", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "entrance-cli-"));
    const { child, info } = await startCli(dataDir, ["--https-pages"]);
    try {
      expect(info.pages).toBe(info.https);
      const script = `const r = await fetch(${JSON.stringify(`${info.https}/organizations/v2.0/.well-known/openid-configuration`)}); console.log((await r.json()).authorization_endpoint);`;
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: info.caCertPath },
      });
      expect(stdout.trim()).toBe(`${info.https}/organizations/oauth2/v2.0/authorize`);
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  });

  it("--host-proxy runs the host proxy, through which another process reaches the External ID host", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "entrance-cli-"));
    const { child, info } = await startCli(dataDir, ["--host-proxy", "0"]);
    const unroute = routeCiamHostsThrough({ port: Number(new URL(info.hostProxy ?? "").port) });
    try {
      expect(info.hostProxy).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await request(
        `https://${externalDefaults.subdomain}.ciamlogin.com/${externalDefaults.subdomain}.onmicrosoft.com/v2.0/.well-known/openid-configuration`,
        { ca: await readFile(info.caCertPath, "utf8") },
      );
      expect(res.json<{ issuer: string }>().issuer).toBe(
        `https://${externalDefaults.tenant}.ciamlogin.com/${externalDefaults.tenant}/v2.0`,
      );
    } finally {
      unroute();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  });

  it("keeps its certificate authority in the data folder across runs", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "entrance-cli-"));
    const first = await startCli(dataDir);
    const ca = await readFile(first.info.caCertPath, "utf8");
    first.child.kill("SIGTERM");
    const second = await startCli(dataDir);
    expect(await readFile(second.info.caCertPath, "utf8")).toBe(ca);
  });

  it("stops with a message naming the wrong field of a configuration file", async () => {
    const folder = await mkdtemp(join(tmpdir(), "entrance-cli-"));
    const config = join(folder, "directory.json");
    await writeFile(
      config,
      JSON.stringify({ tenants: [{ id: "nope", domain: "x.onmicrosoft.com", displayName: "X" }] }),
    );
    const failure = await run(process.execPath, [
      CLI,
      "--config",
      config,
      "--data-dir",
      folder,
    ]).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain(
      "tenants[0].id: must be a lower-case GUID",
    );
  });

  it("starts in a checkout with exactly `npx entrance-emulator --json`, without the registry", async () => {
    // As the README says after `npm install`, on its default ports. Beside a running `npm start`,
    // which holds them, the same command on free ports (never under CI, where they are free).
    const onDefaults =
      Boolean(process.env.CI) || ((await portFree(8400)) && (await portFree(8443)));
    const elsewhere = [
      "--port",
      "0",
      "--https-port",
      "0",
      "--data-dir",
      await mkdtemp(join(tmpdir(), "entrance-npx-")),
    ];
    // --no-install and an offline npm: should the bin not be linked, npx fails at once instead
    // of fetching a package of that name.
    const child = spawn(
      "npx",
      ["--no-install", "entrance-emulator", "--json", ...(onDefaults ? [] : elsewhere)],
      {
        cwd: ROOT,
        // A process group of its own, stopped as Ctrl+C in a terminal stops it: npx runs the bin
        // in a child process, and both get the signal.
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, npm_config_offline: "true", npm_config_update_notifier: "false" },
      },
    );
    const running = () => child.exitCode === null && child.signalCode === null;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    try {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      const line = await Promise.race([
        new Promise<string>((resolve) => lines.once("line", resolve)),
        exited.then(() => {
          throw new Error(`npx entrance-emulator exited with ${child.exitCode}:\n${stderr}`);
        }),
      ]);
      const info = JSON.parse(line) as Described;
      if (onDefaults) {
        expect(info.http).toBe("http://localhost:8400");
        expect(info.https).toBe("https://localhost:8443");
        expect(info.caCertPath).toBe(join(ROOT, ".entrance/emulator/ca.pem"));
      }
      expect(info.apps[0]?.clientId).toBe(defaults.webApp);
      expect((await fetch(`${info.http}/`)).status).toBeLessThan(500);

      if (child.pid) process.kill(-child.pid, "SIGINT");
      await exited;
      // npm ends by the signal it got; the emulator behind it has stopped listening.
      const state = () =>
        fetch(`${info.http}/`).then(
          () => "listening",
          () => "stopped",
        );
      await expect.poll(state, { timeout: 5_000 }).toBe("stopped");
    } finally {
      if (running() && child.pid) process.kill(-child.pid, "SIGKILL");
    }
  }, 60_000);

  it("--external-sign-in email-otp makes the External ID tenant ask for an address and a code", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "entrance-cli-"));
    const { child, info } = await startCli(dataDir, ["--external-sign-in", "email-otp"]);
    try {
      const url = new URL(
        `${info.pages}/${externalDefaults.subdomain}.onmicrosoft.com/oauth2/v2.0/authorize`,
      );
      url.search = new URLSearchParams({
        client_id: externalDefaults.app,
        response_type: "code",
        redirect_uri: "http://localhost:3000/auth/callback",
        scope: "openid",
      }).toString();
      const page = await (await fetch(url, { redirect: "manual" })).text();
      expect(page).toContain('action="/_emulator/email-otp"');
      expect(page).not.toContain("data-upn");
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    const failure = await run(process.execPath, [
      CLI,
      "--external-sign-in",
      "sms",
      "--data-dir",
      dataDir,
    ]).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain(
      "--external-sign-in must be one of email-password, email-otp",
    );
  });

  it("explains a bad option", async () => {
    const failure = await run(process.execPath, [CLI, "--port", "http"]).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain("--port must be a port number");
  });
});
