/**
 * `entrance init` on small real projects in temporary folders — Express in TypeScript, Fastify
 * and Hono in JavaScript — : the dependencies and the setup file added, nothing overwritten, .env
 * merged, .gitignore kept, and the output listing what to register in Entra. The TypeScript
 * setup files are compiled against the real adapters; the emulator's .env passes `doctor`.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv, promisify } from "node:util";
import { defaults } from "@entrance/emulator";
import { afterAll, describe, expect, it } from "vitest";
import { checkSecrets } from "../src/doctor/secret.js";
import { doctor, main } from "../src/index.js";
import { EMULATOR } from "../src/init/emulator.js";
import { emulatedApp } from "./support/emulated-app.js";

const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

/** A project folder with these files (relative path → content). */
async function project(files: Record<string, string>, parent = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(parent, "entrance-init-"));
  folders.push(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

async function init(dir: string, ...args: string[]) {
  let stdout = "";
  let stderr = "";
  const status = await main(["init", ...args], {
    cwd: dir,
    env: {},
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { status, stdout, stderr };
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
const manifest = (dir: string) => JSON.parse(read(dir, "package.json"));
const envOf = (dir: string) => parseEnv(read(dir, ".env"));

const EXPRESS_TS = {
  "package.json": `${JSON.stringify({ name: "shop", type: "module", dependencies: { express: "^5.1.0" } }, null, 4)}\n`,
  "tsconfig.json": "{}\n",
  "src/server.ts": 'import express from "express";\nconst app = express();\napp.listen(3000);\n',
  ".gitignore": "node_modules\n",
};

describe("init in an Express project (TypeScript)", () => {
  it("adds the dependencies, writes src/entrance.ts, merges .env and prints what to register", async () => {
    const dir = await project(EXPRESS_TS);
    const { status, stdout } = await init(dir);
    expect(status).toBe(0);

    const pkg = manifest(dir);
    expect(pkg.dependencies).toEqual({
      "@entrance/express": "^0.1.0",
      "@entrance/store-sql": "^0.1.0",
      express: "^5.1.0",
    });
    expect(read(dir, "package.json")).toMatch(/^ {4}"name"/m); // its indentation kept
    expect(existsSync(join(dir, "node_modules"))).toBe(false); // no npm install without --install

    const setup = read(dir, "src/entrance.ts");
    expect(setup).toContain('from "@entrance/express"');
    expect(setup).toContain("export function useEntrance(app: Express): void");
    expect(setup).not.toContain("trustCertificateAuthority"); // only with --emulator

    const env = envOf(dir);
    expect(env).toMatchObject({
      AZURE_TENANT_ID: "",
      AZURE_CLIENT_ID: "",
      AZURE_CLIENT_SECRET: "",
      ENTRANCE_BASE_URL: "http://localhost:3000",
    });
    expect(checkSecrets(env.ENTRANCE_SECRET)[0]?.code).toBe("secret_strong");
    expect(read(dir, ".gitignore")).toBe("node_modules\n.env\n.entrance/\n");

    expect(stdout).toContain("Redirect URI (platform Web):   http://localhost:3000/auth/callback");
    expect(stdout).toContain(
      "Front-channel logout URL:      http://localhost:3000/auth/frontchannel-logout",
    );
    expect(stdout).toContain("openid, profile, offline_access, User.Read");
    expect(stdout).toContain(
      'import { auth, useEntrance, useEntranceErrors } from "./entrance.js";',
    );
    expect(stdout).toContain("src/server.ts");
  });

  it("overwrites nothing: a taken file name, values already in .env, a second run", async () => {
    const dir = await project({
      ...EXPRESS_TS,
      "src/entrance.ts": "// the app's own file\n",
      ".env":
        "AZURE_CLIENT_ID=11111111-2222-4333-8444-555555555555\nENTRANCE_SECRET=mine-already\nPORT=8080",
    });
    const first = await init(dir, "--port", "8080");
    expect(first.status).toBe(0);
    expect(read(dir, "src/entrance.ts")).toBe("// the app's own file\n");
    expect(read(dir, "src/auth.ts")).toContain("useEntrance");
    expect(first.stdout).toContain('from "./auth.js"');
    const env = envOf(dir);
    expect(env.AZURE_CLIENT_ID).toBe("11111111-2222-4333-8444-555555555555");
    expect(env.ENTRANCE_SECRET).toBe("mine-already");
    expect(env.PORT).toBe("8080");
    expect(env.ENTRANCE_BASE_URL).toBe("http://localhost:8080");
    expect(first.stdout).toContain("kept your AZURE_CLIENT_ID, ENTRANCE_SECRET");
    expect(first.stdout).toContain("http://localhost:8080/auth/callback");

    const before = {
      pkg: read(dir, "package.json"),
      env: read(dir, ".env"),
      ignore: read(dir, ".gitignore"),
    };
    const second = await init(dir, "--port", "8080");
    expect(second.status).toBe(0);
    expect(second.stdout).toContain("src/auth.ts: already written by an earlier init");
    expect(existsSync(join(dir, "src/entrance-setup.ts"))).toBe(false);
    expect({
      pkg: read(dir, "package.json"),
      env: read(dir, ".env"),
      ignore: read(dir, ".gitignore"),
    }).toEqual(before);
  });

  it("prints one redirect URI per allowed host, and adds no ENTRANCE_BASE_URL beside ENTRANCE_ALLOWED_HOSTS", async () => {
    const dir = await project({
      ...EXPRESS_TS,
      ".env":
        "ENTRANCE_ALLOWED_HOSTS=app.example.com, www.example.com\nENTRANCE_TRUST_PROXY=loopback\n",
    });
    const { status, stdout } = await init(dir);
    expect(status).toBe(0);
    expect(envOf(dir).ENTRANCE_BASE_URL).toBeUndefined();
    expect(stdout).toContain(
      "Redirect URIs (platform Web):  https://app.example.com/auth/callback",
    );
    expect(stdout).toContain("https://www.example.com/auth/callback");
    expect(stdout).not.toContain("http://localhost:3000/auth/callback");
  });
});

describe("init in Fastify and Hono projects (JavaScript)", () => {
  it("Fastify, ES modules: entrance.js beside index.js, registered as a plugin", async () => {
    const dir = await project({
      "package.json": JSON.stringify({
        name: "api",
        type: "module",
        main: "index.js",
        dependencies: { fastify: "^5.0.0" },
      }),
      "index.js": 'import Fastify from "fastify";\n',
    });
    const { status, stdout } = await init(dir);
    expect(status).toBe(0);
    expect(manifest(dir).dependencies["@entrance/fastify"]).toBe("^0.1.0");
    const setup = read(dir, "entrance.js");
    expect(setup).toContain("await app.register(entrance);");
    expect(setup).not.toContain(": FastifyInstance");
    expect(stdout).toContain('import { useEntrance } from "./entrance.js";');
    // No .gitignore and no git repository: nothing written there, and a warning instead.
    expect(existsSync(join(dir, ".gitignore"))).toBe(false);
    expect(stdout).toContain("WARNING: there is no .gitignore");
  });

  it("Hono, CommonJS package: entrance.mjs, and .gitignore created in a git repository", async () => {
    const dir = await project({
      "package.json": JSON.stringify({
        name: "edge",
        dependencies: { hono: "^4.0.0", "@hono/node-server": "^1.0.0" },
      }),
      "src/index.js": "",
      ".git/HEAD": "ref: refs/heads/main\n",
    });
    const { status, stdout } = await init(dir);
    expect(status).toBe(0);
    expect(read(dir, "src/entrance.mjs")).toContain("app.onError(handleEntranceErrors());");
    expect(stdout).toContain('from "./entrance.mjs"');
    expect(read(dir, ".gitignore")).toBe(".env\n.entrance/\n");
  });

  it("asks when it cannot tell the framework", async () => {
    const both = await project({
      "package.json": JSON.stringify({ dependencies: { express: "5", fastify: "5" } }),
    });
    const ambiguous = await init(both);
    expect(ambiguous.status).toBe(1);
    expect(ambiguous.stderr).toMatch(/express and fastify: pass --framework/);
    expect(existsSync(join(both, ".env"))).toBe(false);

    const none = await project({});
    expect((await init(none)).stderr).toMatch(/no package\.json/);
    expect((await init(both, "--framework", "koa")).stderr).toMatch(/--framework must be one of/);
  });
});

describe("init in a Next.js project", () => {
  it("writes the Entrance module, the route handler and proxy.ts where Next looks, overwriting nothing", async () => {
    const dir = await project({
      "package.json": JSON.stringify({ name: "site", dependencies: { next: "16", react: "19" } }),
      "tsconfig.json": "{}\n",
      "src/app/page.tsx": "export default function Home() { return null; }\n",
      ".gitignore": "node_modules\n",
    });
    const { status, stdout } = await init(dir);
    expect(status).toBe(0);
    expect(manifest(dir).dependencies).toMatchObject({
      "@entrance/next": expect.stringMatching(/^\^/),
      "@entrance/store-sql": expect.stringMatching(/^\^/),
    });
    expect(read(dir, "src/lib/entrance.ts")).toMatch(/= *\n? *entrance\(\);/);
    expect(read(dir, "src/app/auth/[...entrance]/route.ts")).toContain(
      "export const { GET, POST } = handlers;",
    );
    expect(read(dir, "src/proxy.ts")).toContain("return securityHeaders(request);");
    expect(stdout).toContain("src/proxy.ts: written");
    expect(stdout).toContain("/auth/callback");
    expect(envOf(dir).ENTRANCE_BASE_URL).toBe("http://localhost:3000");

    // A second run, and a proxy.ts of the app's own: nothing is overwritten.
    const own = await project({
      "package.json": JSON.stringify({ dependencies: { next: "16" } }),
      "proxy.js": "export function proxy() {}\n",
    });
    const first = await init(own);
    expect(first.status).toBe(0);
    expect(read(own, "proxy.js")).toBe("export function proxy() {}\n");
    expect(first.stdout).toContain("proxy.js exists: not overwritten; what it should hold:");
    expect(read(own, "app/auth/[...entrance]/route.js")).toContain("handlers");
    const again = await init(dir);
    expect(again.stdout).toContain("src/lib/entrance.ts: already written by an earlier init");
  });
});

describe("init --emulator", () => {
  it("points .env at the emulator's built-in app, and doctor finds that configuration good", async () => {
    expect(EMULATOR).toMatchObject({
      tenantId: defaults.contoso,
      clientId: defaults.webApp,
      clientSecret: defaults.webAppSecret,
    });
    const dir = await project(EXPRESS_TS);
    const { status, stdout } = await init(dir, "--emulator");
    expect(status).toBe(0);
    expect(manifest(dir).devDependencies).toEqual({ "@entrance/emulator": "^0.1.0" });
    expect(read(dir, "src/entrance.ts")).toContain("trustCertificateAuthority(readFileSync(");
    expect(stdout).toContain("npx entrance-emulator");
    expect(stdout).toContain("nothing to register");

    // The emulator of this test listens on ports of its own: the process environment wins over
    // .env for the two URLs, as it does for the app; everything else comes from what init wrote.
    const app = await emulatedApp();
    try {
      const findings = await doctor({
        cwd: dir,
        env: {
          AZURE_AUTHORITY_HOST: app.emulator.urls.https,
          ENTRANCE_GRAPH_URL: app.emulator.urls.https,
        },
        ca: app.caPath,
      });
      expect(findings.filter((f) => f.severity === "error")).toEqual([]);
      expect(findings.map((f) => f.code)).toEqual(
        expect.arrayContaining(["credential_works", "authority_ok"]),
      );
    } finally {
      await app.stop();
    }
  });
});

describe("the setup files init writes", () => {
  it("compile against the real adapters (TypeScript, strict)", async () => {
    // Inside the repository, so that the adapters and frameworks resolve from its node_modules.
    const root = join(import.meta.dirname, "..", "..", "..");
    const base = await mkdtemp(join(root, "node_modules", ".cache", "entrance-init-"));
    folders.push(base);
    const files: string[] = [];
    for (const [framework, deps] of Object.entries({
      express: { express: "5" },
      fastify: { fastify: "5" },
      hono: { hono: "4" },
    })) {
      for (const emulator of [false, true]) {
        const dir = join(base, `${framework}${emulator ? "-emulator" : ""}`);
        await mkdir(join(dir, "src"), { recursive: true });
        await writeFile(
          join(dir, "package.json"),
          JSON.stringify({ type: "module", dependencies: deps }),
        );
        await writeFile(join(dir, "tsconfig.json"), "{}");
        await writeFile(join(dir, "src", "index.ts"), "");
        const { status } = await init(dir, ...(emulator ? ["--emulator"] : []));
        expect(status).toBe(0);
        files.push(join(dir, "src", "entrance.ts"));
      }
    }
    await writeFile(
      join(base, "tsconfig.json"),
      JSON.stringify({
        extends: join(root, "tsconfig.base.json"),
        compilerOptions: {
          noEmit: true,
          composite: false,
          declaration: false,
          declarationMap: false,
        },
        files,
      }),
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const result = await promisify(execFile)(process.execPath, [
      tsc,
      "-p",
      join(base, "tsconfig.json"),
    ]).then(
      () => ({ ok: true, output: "" }),
      (error: { stdout?: string }) => ({ ok: false, output: error.stdout ?? String(error) }),
    );
    expect(result.output).toBe("");
    expect(result.ok).toBe(true);
  });

  it("compile against the real @entrance/next and Next's types (Next.js, bundler resolution)", async () => {
    const root = join(import.meta.dirname, "..", "..", "..");
    const base = await mkdtemp(join(root, "node_modules", ".cache", "entrance-init-next-"));
    folders.push(base);
    const files: string[] = [];
    for (const emulator of [false, true]) {
      const dir = join(base, emulator ? "emulator" : "plain");
      await mkdir(join(dir, "app"), { recursive: true });
      await writeFile(join(dir, "package.json"), JSON.stringify({ dependencies: { next: "16" } }));
      await writeFile(join(dir, "tsconfig.json"), "{}");
      const { status } = await init(dir, ...(emulator ? ["--emulator"] : []));
      expect(status).toBe(0);
      files.push(
        join(dir, "lib", "entrance.ts"),
        join(dir, "app", "auth", "[...entrance]", "route.ts"),
        join(dir, "proxy.ts"),
      );
    }
    // Next compiles an app as a bundler does: extensionless relative imports.
    await writeFile(
      join(base, "tsconfig.json"),
      JSON.stringify({
        extends: join(root, "tsconfig.base.json"),
        compilerOptions: {
          noEmit: true,
          composite: false,
          declaration: false,
          declarationMap: false,
          module: "esnext",
          moduleResolution: "bundler",
        },
        files,
      }),
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const result = await promisify(execFile)(process.execPath, [
      tsc,
      "-p",
      join(base, "tsconfig.json"),
    ]).then(
      () => ({ ok: true, output: "" }),
      (error: { stdout?: string }) => ({ ok: false, output: error.stdout ?? String(error) }),
    );
    expect(result.output).toBe("");
    expect(result.ok).toBe(true);
  });
});
