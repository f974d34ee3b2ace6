import { parseArgs } from "node:util";
import { doctor } from "./doctor/index.js";
import { hasErrors, renderJson, renderText } from "./findings.js";
import { runInit } from "./init/index.js";
import { runMigrate } from "./migrate.js";

/** Where a command reads and writes: the real process, or a test's. */
export interface Io {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const USAGE = `Usage: entrance <command> [options]

Commands:
  doctor    check the app's configuration (environment and .env) against reality
            --json            one JSON document instead of text
            --env-file <f>    read this env file instead of .env
            --ca <pem>        trust this certificate authority for the identity provider
            --skip-token      do not try a client-credentials token request
            --probe           ask the running app at ENTRANCE_BASE_URL which redirect URI it sends
  migrate   apply the Entrance SQL schema to DATABASE_URL (default: .entrance/entrance.db)
            --env-file <f>    read this env file instead of .env
  init      add Entrance to the Express, Fastify or Hono project in this folder
            --framework <express|fastify|hono|next>   instead of detecting it
            --emulator        point the project at the local Entra ID emulator
            --port <n>        the port the app listens on in development (default 3000)
            --install         run npm install afterwards

Exit status: 0 when all is well, 1 when doctor found an error or a command failed, 2 for bad usage.
`;

/** Runs one command line; resolves to the exit status. Never calls process.exit. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: "boolean" },
        "env-file": { type: "string" },
        ca: { type: "string" },
        "skip-token": { type: "boolean" },
        probe: { type: "boolean" },
        framework: { type: "string" },
        emulator: { type: "boolean" },
        port: { type: "string" },
        install: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    io.stderr(`entrance: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const envFile = typeof values["env-file"] === "string" ? values["env-file"] : undefined;
  if (values.help || command === "help" || command === "--help" || command === "-h") {
    io.stdout(USAGE);
    return 0;
  }
  switch (command) {
    case "doctor": {
      const findings = await doctor({
        cwd: io.cwd,
        env: io.env,
        ...(envFile ? { envFile } : {}),
        ...(typeof values.ca === "string" ? { ca: values.ca } : {}),
        ...(values["skip-token"] ? { skipToken: true } : {}),
        ...(values.probe ? { probe: true } : {}),
      });
      io.stdout(values.json ? renderJson(findings) : renderText(findings));
      return hasErrors(findings) ? 1 : 0;
    }
    case "migrate": {
      const outcome = await runMigrate({
        cwd: io.cwd,
        env: io.env,
        ...(envFile ? { envFile } : {}),
      });
      (outcome.ok ? io.stdout : io.stderr)(`${outcome.message}\n`);
      return outcome.ok ? 0 : 1;
    }
    case "init":
      return runInit(
        {
          ...(typeof values.framework === "string" ? { framework: values.framework } : {}),
          emulator: values.emulator === true,
          install: values.install === true,
          ...(typeof values.port === "string" ? { port: values.port } : {}),
        },
        io,
      );
    default:
      io.stderr(`${command ? `entrance: unknown command "${command}"\n\n` : ""}${USAGE}`);
      return 2;
  }
}
