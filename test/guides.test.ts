/**
 * The framework guides run as written: the server each of docs/guides/{express,fastify,hono}.md
 * shows is taken from the page, compiled with the guide's `tsc` command, started with `node` in a
 * folder laid out as the guide's steps leave it (the emulator's CA in `.entrance/emulator/`, the
 * default SQLite store), and then signs a user in through the emulator's pages, reads Graph as
 * that user, and answers its API for a bearer token and not without one.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Browser } from "@entrance/adapter-conformance";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { signInWithoutBrowser } from "@entrance/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractExamples } from "../scripts/check-examples.mjs";

const TSC = join("node_modules", "typescript", "bin", "tsc");
let emulator: RunningEmulator;
const folders: string[] = [];
const servers: ChildProcess[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  for (const server of servers) server.kill("SIGTERM");
  await Promise.all(
    servers.map((s) => (s.exitCode === null ? new Promise((r) => s.once("exit", r)) : null)),
  );
  await emulator?.stop();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A free port on 127.0.0.1 (the server the guide shows takes it from PORT). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** The guide's server block, compiled as its "Run it" step says; the path of the JavaScript. */
function compileGuide(framework: string): string {
  const page = `docs/guides/${framework}.md`;
  const server = extractExamples(readFileSync(page, "utf8"), page).find((e) =>
    e.code.includes("process.env.PORT"),
  );
  if (!server) throw new Error(`${page} shows no server reading PORT`);
  const dir = join("test-results", "guides", framework);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "server.ts"), server.code);
  // The guide's flags; --ignoreConfig because this folder sits below the repository's tsconfig.
  const flags = [
    "--module",
    "nodenext",
    "--target",
    "es2023",
    "--skipLibCheck",
    "--outDir",
    "dist",
  ];
  execFileSync(
    process.execPath,
    [join(process.cwd(), TSC), "server.ts", "--ignoreConfig", ...flags],
    {
      cwd: dir,
      stdio: "pipe",
    },
  );
  return join(process.cwd(), dir, "dist", "server.js");
}

/** Starts the compiled server as `node --env-file=.env dist/server.js` would, once it listens. */
async function startServer(script: string, base: string, port: number): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), "entrance-guide-"));
  folders.push(folder);
  // What `npx entrance-emulator` leaves in the project: its certificate authority.
  mkdirSync(join(folder, ".entrance", "emulator"), { recursive: true });
  writeFileSync(join(folder, ".entrance", "emulator", "ca.pem"), emulator.caCertPem);
  const env = {
    PATH: process.env.PATH ?? "",
    PORT: String(port),
    AZURE_TENANT_ID: defaults.contoso,
    AZURE_CLIENT_ID: defaults.webApp,
    AZURE_CLIENT_SECRET: defaults.webAppSecret,
    AZURE_AUTHORITY_HOST: emulator.urls.https,
    ENTRANCE_GRAPH_URL: emulator.urls.https,
    ENTRANCE_BASE_URL: base,
    ENTRANCE_SECRET: randomBytes(32).toString("base64"),
  };
  const child = spawn(process.execPath, [script], { cwd: folder, env, stdio: "pipe" });
  servers.push(child);
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.includes("listening on")) resolve();
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("exit", (code) => reject(new Error(`the server exited (${code}):\n${output}`)));
  });
}

describe.each(["express", "fastify", "hono"])("the %s guide", (framework) => {
  // Compiling and starting a server takes seconds, more on a busy machine: a wide deadline.
  it("signs in, reads Graph as the user, and serves its API to a bearer token only", {
    timeout: 120_000,
  }, async () => {
    const port = await freePort();
    const base = `http://localhost:${port}`;
    const registered = emulator.directory.app(defaults.webApp)?.value;
    if (!registered) throw new Error("the emulator has no web app");
    emulator.control.putApp(defaults.contoso, {
      ...registered,
      redirectUris: [...registered.redirectUris, `${base}/auth/callback`, `${base}/`],
    });
    await startServer(compileGuide(framework), base, port);

    const browser = new Browser(base);
    const home = await (await browser.page("/")).text();
    const loginUrl = /href="([^"]+)">Sign in with Microsoft/.exec(home)?.[1] ?? "";
    expect(loginUrl).toBe("/auth/login?returnTo=%2F");
    await browser.signInAt(emulator, loginUrl, "lee@contoso.onmicrosoft.com");
    expect(await (await browser.page("/")).text()).toContain("Hello Lee Gu.");

    const profile = await browser.page("/profile");
    expect(profile.status).toBe(200);
    expect(await profile.json()).toMatchObject({ displayName: "Lee Gu" });

    const anonymous = await fetch(`${base}/api/orders`);
    expect(anonymous.status).toBe(401);
    const { accessToken } = await signInWithoutBrowser(emulator, {
      user: "lee@contoso.onmicrosoft.com",
      scopes: [`api://${defaults.webApp}/Orders.Read`],
    });
    const orders = await fetch(`${base}/api/orders`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(orders.status).toBe(200);
    const lee = emulator.directory.user("lee@contoso.onmicrosoft.com")?.value.id;
    expect(lee).toBeTruthy();
    expect(await orders.json()).toEqual({ for: lee, orders: [] });
  });
});
