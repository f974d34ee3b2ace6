import type { Framework } from "./detect.js";
import { EMULATOR } from "./emulator.js";

/** The setup file `init` writes, and how to wire it into the app. */
export interface Setup {
  readonly content: string;
  /** The lines to add to the app, with `{module}` for the setup file's import path. */
  readonly wiring: readonly string[];
}

/** What marks a file as written by `init`, so that a second run does not write another. */
export const MARK = "written by `npx entrance init`";

const HEADER = `/**
 * Sign-in with Microsoft Entra ID, by Entrance (written by \`npx entrance init\`; yours to change).
 * Entrance reads AZURE_*, ENTRANCE_* and DATABASE_URL from the environment: start the app with
 * \`node --env-file=.env …\` (or your tool's env loading) so that it sees .env.
 * \`npx entrance doctor\` checks that configuration against Entra ID and your stores.
 */`;

/**
 * One import statement of the generated file. Built, not written out, so that this package's
 * source imports nothing it only names for the app (scripts/import-boundaries.mjs reads it).
 */
function importLine(names: string, from: string): string {
  return ["import", `{ ${names} }`, "from", `"${from}";`].join(" ");
}

/** Trusting the emulator's certificate authority, only while the authority is the emulator. */
function emulatorTrust(adapter: string): { imports: string; options: string } {
  return {
    imports: `${importLine("readFileSync", "node:fs")}\n${importLine("trustCertificateAuthority", adapter)}\n`,
    options: `// The local Entra ID emulator (\`npx entrance-emulator\`) serves https with a certificate
// authority of its own: trust it while AZURE_AUTHORITY_HOST points at the emulator. Entra ID
// itself needs none of this.
const options = process.env.AZURE_AUTHORITY_HOST?.startsWith("https://localhost:")
  ? { trust: trustCertificateAuthority(readFileSync("${EMULATOR.caPath}", "utf8")) }
  : {};
`,
  };
}

/**
 * The setup file for a framework: the few lines of the adapter's README, as functions the app
 * calls (so that the app's own file changes by two lines). Null for Next.js, whose files go
 * where Next looks for them (`next.ts`).
 */
export function setupFile(
  framework: Framework,
  typescript: boolean,
  emulator: boolean,
): Setup | null {
  const ts = typescript;
  switch (framework) {
    case "express": {
      const trust = emulator ? emulatorTrust("@entrance/express") : undefined;
      return {
        content: `${HEADER}
${trust?.imports ?? ""}${importLine("entrance, handleEntranceErrors, securityHeaders", "@entrance/express")}
${ts ? `${importLine("type Express", "express")}\n` : ""}
${trust?.options ?? ""}/** The middleware; its guards protect routes: \`auth.requireAuth()\`, \`auth.requireRole("…")\`. */
export const auth = entrance(${trust ? "options" : ""});

/** Call before your routes: Entrance's /auth/… routes, \`req.entrance\`, security headers. */
export function useEntrance(app${ts ? ": Express" : ""})${ts ? ": void" : ""} {
  app.use(auth, securityHeaders());
}

/** Call after your routes: consent and "sign in again" errors become redirects. */
export function useEntranceErrors(app${ts ? ": Express" : ""})${ts ? ": void" : ""} {
  app.use(handleEntranceErrors());
}
`,
        wiring: [
          importLine("auth, useEntrance, useEntranceErrors", "{module}"),
          "useEntrance(app);        // right after `const app = express()`, before your routes",
          "useEntranceErrors(app);  // after your routes",
          `app.get("/me", auth.requireAuth(), (req, res) => res.json(req.entrance.user));  // a protected route`,
        ],
      };
    }
    case "fastify": {
      const trust = emulator ? emulatorTrust("@entrance/fastify") : undefined;
      return {
        content: `${HEADER}
${trust?.imports ?? ""}${importLine("entrance, handleEntranceErrors, securityHeaders", "@entrance/fastify")}
${ts ? `${importLine("type FastifyInstance", "fastify")}\n` : ""}
${trust?.options ?? ""}/**
 * Registers Entrance (its /auth/… routes, \`request.entrance\`, \`reply.locals\`), its security
 * headers and its error handler; guards are preHandlers: \`{ preHandler: requireAuth() }\`.
 */
export async function useEntrance(app${ts ? ": FastifyInstance" : ""})${ts ? ": Promise<void>" : ""} {
  await app.register(entrance${trust ? ", options" : ""});
  app.addHook("onSend", securityHeaders());
  app.setErrorHandler(handleEntranceErrors());
}
`,
        wiring: [
          importLine("useEntrance", "{module}"),
          importLine("requireAuth", "@entrance/fastify"),
          "await useEntrance(app);  // right after `const app = Fastify()`, before your routes",
          `app.get("/me", { preHandler: requireAuth() }, async (request) => request.entrance.user);  // a protected route`,
        ],
      };
    }
    case "hono": {
      const trust = emulator ? emulatorTrust("@entrance/hono") : undefined;
      return {
        content: `${HEADER}
${trust?.imports ?? ""}${importLine(`${ts ? "type EntranceEnv, " : ""}entrance, handleEntranceErrors, securityHeaders`, "@entrance/hono")}
${ts ? `${importLine("type Hono", "hono")}\n` : ""}
${trust?.options ?? ""}/** The middleware; its guards protect routes: \`auth.requireAuth()\`, \`auth.requireRole("…")\`. */
export const auth = entrance(${trust ? "options" : ""});

/**
 * Call before your routes: Entrance's /auth/… routes, \`c.get("entrance")\`, security headers,
 * and consent and "sign in again" errors as redirects. Create the app as \`new Hono<EntranceEnv>()\`.
 */
export function useEntrance(app${ts ? ": Hono<EntranceEnv>" : ""})${ts ? ": void" : ""} {
  app.use(auth, securityHeaders());
  app.onError(handleEntranceErrors());
}
`,
        wiring: [
          importLine("auth, useEntrance", "{module}"),
          importLine("type EntranceEnv", "@entrance/hono"),
          "const app = new Hono<EntranceEnv>();",
          "useEntrance(app);  // before your routes",
          `app.get("/me", auth.requireAuth(), (c) => c.json(c.get("entrance").user));  // a protected route`,
        ],
      };
    }
    case "next":
      return null;
  }
}
