import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { parseEnv } from "node:util";
import { PublicOrigins } from "@entrance/core";
import type { Io } from "../main.js";
import { FRAMEWORKS, type Framework, type Project, readProject } from "./detect.js";
import { EMULATOR } from "./emulator.js";
import { generateSecret, mergeEnvFile } from "./env-file.js";
import { NEXT_WIRING, writeNextFiles } from "./next.js";
import { MARK, type Setup, setupFile } from "./templates.js";

/** Options of `entrance init`. */
export interface InitOptions {
  /** express, fastify, hono or next; detected from package.json when absent. */
  readonly framework?: string;
  /** Point the project at the local emulator (`npx entrance-emulator`). */
  readonly emulator?: boolean;
  /** Run `npm install` after changing package.json. */
  readonly install?: boolean;
  /** The port the app listens on in development; 3000 by default. */
  readonly port?: string;
}

/** This CLI's version: every Entrance package of a release has the same one. */
const VERSION = (createRequire(import.meta.url)("../../package.json") as { version: string })
  .version;

/**
 * `entrance init`: adds Entrance to the Express, Fastify, Hono or Next.js project in `io.cwd` —
 * the dependencies in package.json, a setup file next to the app's entry (for Next.js, the files
 * of @entrance/next's README where Next looks for them), the variables in .env —
 * never overwriting a file or a value, and prints how to wire it and what to register in Entra.
 * Resolves to the exit status.
 */
export async function runInit(options: InitOptions, io: Io): Promise<number> {
  const fail = (message: string) => {
    io.stderr(`entrance init: ${message}\n`);
    return 1;
  };
  let project: Project;
  try {
    project = readProject(io.cwd);
  } catch (error) {
    return fail((error as Error).message);
  }
  const framework = chooseFramework(options.framework, project);
  if (typeof framework === "string" && !FRAMEWORKS.includes(framework as Framework))
    return fail(framework);
  const chosen = framework as Framework;
  const port = options.port ?? "3000";
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    return fail(`--port must be a port number, not "${port}"`);
  }
  const setup = setupFile(chosen, project.typescript, options.emulator === true);
  const out: string[] = [];
  const adapter = `@entrance/${chosen}`;

  // package.json: add what is missing, keep every existing entry and the file's indentation.
  const added = addDependencies(project, {
    dependencies: { [adapter]: `^${VERSION}`, "@entrance/store-sql": `^${VERSION}` },
    devDependencies: options.emulator ? { "@entrance/emulator": `^${VERSION}` } : {},
  });
  out.push(
    added.length > 0
      ? `package.json: added ${added.join(", ")}${options.install ? "" : " (run `npm install`)"}`
      : "package.json: already has the Entrance dependencies",
  );

  let importPath = "";
  if (!setup) {
    // Next.js: files at the places Next looks for them, not one setup file.
    out.push(...writeNextFiles(project, options.emulator === true));
  } else {
    importPath = writeSetupFile(project, setup, out);
  }

  // .env: only the variables it does not set yet.
  const baseUrl = options.emulator ? EMULATOR.appOrigin : `http://localhost:${port}`;
  // An app that already names its hosts (ENTRANCE_ALLOWED_HOSTS) gets no ENTRANCE_BASE_URL: the
  // two together are refused at start-up.
  const hosts = allowedHostsIn(project.dir);
  const wanted = envVariables(options.emulator === true, baseUrl).filter(
    (variable) => hosts === undefined || variable.name !== "ENTRANCE_BASE_URL",
  );
  const merge = mergeEnvFile(project.dir, wanted);
  out.push(
    `.env: ${merge.added.length > 0 ? `added ${merge.added.join(", ")}` : "nothing to add"}${merge.kept.length > 0 ? `; kept your ${merge.kept.join(", ")}` : ""}`,
  );
  out.push(
    merge.ignored
      ? `.gitignore: ${merge.gitignoreChanged ? "now lists" : "lists"} .env and .entrance/`
      : "WARNING: there is no .gitignore and no git repository here: keep .env (it holds secrets) and .entrance/ out of version control",
  );

  if (options.install) {
    const npm = spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", ["install"], {
      cwd: project.dir,
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (npm.status !== 0) return fail(`npm install exited with ${npm.status}`);
    out.push("npm install: done");
  }

  const wiring = setup
    ? [
        `Wire it into your app${project.entry ? ` (${project.entry})` : ""}:`,
        ...setup.wiring.map((line) => `  ${line.replace("{module}", importPath)}`),
        "",
        "Start the app so that it reads .env, e.g. `node --env-file=.env <entry>` (Node 20.6+).",
      ]
    : ["Use it in your app:", ...NEXT_WIRING.map((line) => `  ${line}`)];
  out.push(
    "",
    ...wiring,
    "",
    ...(hosts === undefined
      ? registration(options.emulator === true, baseUrl, port)
      : hostsRegistration(hosts)),
    "",
    "Then `npx entrance doctor` checks the configuration against Entra ID and your database.",
  );
  io.stdout(`${out.join("\n")}\n`);
  return 0;
}

/** The framework to set up, or a message saying why none can be chosen. */
function chooseFramework(given: string | undefined, project: Project): Framework | string {
  if (given !== undefined) {
    const name = given.toLowerCase().replace(/\.js$/, "");
    const known = FRAMEWORKS.find((f) => f === name || (f === "next" && name === "nextjs"));
    return known ?? `--framework must be one of ${FRAMEWORKS.join(", ")}, not "${given}"`;
  }
  const [first, ...others] = project.frameworks;
  if (first === undefined) {
    return `package.json depends on none of express, fastify, hono or next: install your framework first, or pass --framework`;
  }
  if (others.length > 0) {
    return `package.json depends on ${project.frameworks.join(" and ")}: pass --framework to say which one serves the pages`;
  }
  return first;
}

/** Adds the entries a section lacks; returns "name@range" of each added. */
function addDependencies(
  project: Project,
  wanted: Record<"dependencies" | "devDependencies", Record<string, string>>,
): string[] {
  const file = join(project.dir, "package.json");
  const text = readFileSync(file, "utf8");
  const manifest = JSON.parse(text) as Record<string, Record<string, string> | unknown>;
  const everywhere = {
    ...(manifest.dependencies as Record<string, string> | undefined),
    ...(manifest.devDependencies as Record<string, string> | undefined),
  };
  const added: string[] = [];
  for (const section of ["dependencies", "devDependencies"] as const) {
    for (const [name, range] of Object.entries(wanted[section])) {
      if (name in everywhere) continue;
      const current = (manifest[section] ?? {}) as Record<string, string>;
      manifest[section] = Object.fromEntries(
        Object.entries({ ...current, [name]: range }).sort(([a], [b]) => a.localeCompare(b)),
      );
      added.push(`${name}@${range}${section === "devDependencies" ? " (dev)" : ""}`);
    }
  }
  if (added.length > 0) {
    const indent = /^(\s+)"/m.exec(text)?.[1] ?? "  ";
    writeFileSync(file, `${JSON.stringify(manifest, null, indent)}\n`);
  }
  return added;
}

/** The variables .env should set, each with a comment saying where its value comes from. */
function envVariables(emulator: boolean, baseUrl: string) {
  const secret = {
    name: "ENTRANCE_SECRET",
    value: generateSecret(),
    comment:
      "encrypts stored tokens; generated for you, keep it secret (rotate: ENTRANCE_SECRET=new,old)",
  };
  const base = {
    name: "ENTRANCE_BASE_URL",
    value: baseUrl,
    comment: "the app's public origin; the redirect URI is built on it",
  };
  if (emulator) {
    return [
      {
        name: "AZURE_TENANT_ID",
        value: EMULATOR.tenantId,
        comment: "the local emulator's Contoso tenant (npx entrance-emulator)",
      },
      { name: "AZURE_CLIENT_ID", value: EMULATOR.clientId, comment: "the emulator's built-in app" },
      {
        name: "AZURE_CLIENT_SECRET",
        value: EMULATOR.clientSecret,
        comment: "the emulator's published development secret (not a real one)",
      },
      {
        name: "AZURE_AUTHORITY_HOST",
        value: EMULATOR.https,
        comment: "the emulator instead of https://login.microsoftonline.com",
      },
      {
        name: "ENTRANCE_GRAPH_URL",
        value: EMULATOR.https,
        comment: "the emulator's Microsoft Graph",
      },
      base,
      secret,
    ];
  }
  return [
    {
      name: "AZURE_TENANT_ID",
      value: "",
      comment:
        "Directory (tenant) ID: Entra admin center → App registrations → your app → Overview",
    },
    { name: "AZURE_CLIENT_ID", value: "", comment: "Application (client) ID, same page" },
    {
      name: "AZURE_CLIENT_SECRET",
      value: "",
      comment: "Certificates & secrets → New client secret → its Value",
    },
    base,
    secret,
  ];
}

/** What to register in the Entra admin center (or, with the emulator, why nothing). */
function registration(emulator: boolean, baseUrl: string, port: string): string[] {
  if (emulator) {
    const lines = [
      "Signing in against the local emulator: nothing to register.",
      "  1. `npx entrance-emulator` in another terminal (pages on http://localhost:8400, APIs on https://localhost:8443)",
      `  2. start the app on port 3000 and open ${EMULATOR.appOrigin}/auth/login: pick any test user, e.g. megan@contoso.onmicrosoft.com`,
    ];
    if (port !== "3000") {
      lines.push(
        `  The emulator's built-in app is registered for ${EMULATOR.appOrigin} only: run the app on port 3000 (not ${port}), or start the emulator with --config registering your URIs.`,
      );
    }
    return lines;
  }
  return [
    "Register the app in the Entra admin center (App registrations → New registration, or your app):",
    `  Redirect URI (platform Web):   ${baseUrl}/auth/callback`,
    "                                 and https://<your domain>/auth/callback for each deployment (set ENTRANCE_BASE_URL there to https://<your domain>)",
    `  Front-channel logout URL:      ${baseUrl}/auth/frontchannel-logout (Authentication page; https://<your domain>/auth/frontchannel-logout deployed)`,
    "  API permissions:               Microsoft Graph, delegated: openid, profile, offline_access, User.Read",
    "  Certificates & secrets:        a client secret: its Value goes in AZURE_CLIENT_SECRET",
    "Then fill AZURE_TENANT_ID and AZURE_CLIENT_ID in .env from the app's Overview page.",
  ];
}

/** ENTRANCE_ALLOWED_HOSTS of the project's .env, when it sets it and not ENTRANCE_BASE_URL. */
function allowedHostsIn(dir: string): string[] | undefined {
  const file = join(dir, ".env");
  if (!existsSync(file)) return undefined;
  const env = parseEnv(readFileSync(file, "utf8"));
  if (env.ENTRANCE_BASE_URL || !env.ENTRANCE_ALLOWED_HOSTS) return undefined;
  const hosts = env.ENTRANCE_ALLOWED_HOSTS.split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return hosts.length > 0 ? hosts : undefined;
}

/** What to register when the app answers on the allowed hosts: one redirect URI per host. */
function hostsRegistration(hosts: readonly string[]): string[] {
  const origins = new PublicOrigins({ allowedHosts: hosts, trustProxy: [] }).all;
  return [
    "Register the app in the Entra admin center (App registrations → New registration, or your app):",
    ...origins.map(
      (origin, i) =>
        `  ${i === 0 ? "Redirect URIs (platform Web):  " : "                               "}${origin}/auth/callback`,
    ),
    `  Front-channel logout URL:      ${origins[0]}/auth/frontchannel-logout (one per app registration)`,
    "  API permissions:               Microsoft Graph, delegated: openid, profile, offline_access, User.Read",
    "  Certificates & secrets:        a client secret: its Value goes in AZURE_CLIENT_SECRET",
    "ENTRANCE_ALLOWED_HOSTS is set, so the origin is read per request: behind a reverse proxy, set ENTRANCE_TRUST_PROXY to its address.",
    "Then fill AZURE_TENANT_ID and AZURE_CLIENT_ID in .env from the app's Overview page.",
  ];
}

/**
 * The setup file, next to the app's entry, under a name nothing uses yet (never overwriting one);
 * returns its import path for the wiring lines.
 */
function writeSetupFile(project: Project, setup: Setup, out: string[]): string {
  const extension = project.typescript ? ".ts" : project.esm ? ".js" : ".mjs";
  const candidates = ["entrance", "auth", "entrance-setup"].map((name) =>
    join(project.entryDir, `${name}${extension}`),
  );
  const earlier = candidates.find(
    (path) => existsSync(path) && readFileSync(path, "utf8").includes(MARK),
  );
  if (earlier) {
    out.push(
      `${relative(project.dir, earlier)}: already written by an earlier init; left as it is`,
    );
    return `./${relative(project.entryDir, earlier).replace(/\.ts$/, ".js")}`;
  }
  const target = candidates.find((path) => !existsSync(path));
  if (!target) {
    out.push(
      `${candidates.map((c) => relative(project.dir, c)).join(", ")} all exist: none overwritten; the setup to add yourself:`,
      "",
      setup.content,
    );
    return "./<your setup file>.js";
  }
  writeFileSync(target, setup.content, { flag: "wx" });
  out.push(`${relative(project.dir, target)}: written`);
  return `./${relative(project.entryDir, target).replace(/\.ts$/, ".js")}`;
}
