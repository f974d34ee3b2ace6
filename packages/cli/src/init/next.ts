import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { Project } from "./detect.js";
import { EMULATOR } from "./emulator.js";
import { MARK } from "./templates.js";

const HEADER = `/**
 * Sign-in with Microsoft Entra ID, by Entrance (written by \`npx entrance init\`; yours to change).
 * Next reads AZURE_*, ENTRANCE_* and DATABASE_URL from .env; \`npx entrance doctor\` checks them.
 */`;

/** One import statement, built so that this package's source names no package it imports. */
function importLine(names: string, from: string): string {
  return ["import", `{ ${names} }`, "from", `"${from}";`].join(" ");
}

/** The Entrance module: one `entrance()` per app, what the app's files import. */
function entranceModule(emulator: boolean): string {
  const trust = emulator
    ? `${importLine("readFileSync", "node:fs")}\n${importLine("entrance, trustCertificateAuthority", "@entrance/next")}

// The local Entra ID emulator (\`npx entrance-emulator\`) serves https with a certificate
// authority of its own: trust it while AZURE_AUTHORITY_HOST points at the emulator.
const options = process.env.AZURE_AUTHORITY_HOST?.startsWith("https://localhost:")
  ? { trust: trustCertificateAuthority(readFileSync("${EMULATOR.caPath}", "utf8")) }
  : {};
`
    : `${importLine("entrance", "@entrance/next")}\n`;
  return `${HEADER}
${trust}
/**
 * \`auth()\` in server components, server actions and route handlers; guards wrap route handlers
 * (\`requireAuth(async (request, context, { user }) => …)\`); the proxy pieces are for proxy.ts.
 */
export const { handlers, auth, proxy, securityHeaders, requireAuth, requireRole, mount } =
  entrance(${emulator ? "options" : ""});
`;
}

/** The files of an App Router project, per @entrance/next's README, under `root` (or `root/src`). */
function nextFiles(project: Project, emulator: boolean) {
  const ts = project.typescript;
  const ext = ts ? "ts" : "js";
  // Next looks for app/ and proxy.ts in src/ when the project keeps app/ there.
  const root = existsSync(join(project.dir, "src", "app")) ? join(project.dir, "src") : project.dir;
  return [
    { path: join(root, "lib", `entrance.${ext}`), content: entranceModule(emulator) },
    {
      path: join(root, "app", "auth", "[...entrance]", `route.${ext}`),
      content: `${HEADER}
${importLine("handlers", "../../../lib/entrance")}

/** Entrance's routes: /auth/login, /auth/callback, /auth/logout, front-channel logout. */
export const { GET, POST } = handlers;
`,
    },
    {
      path: join(root, `proxy.${ext}`),
      content: `${HEADER}
${ts ? `${importLine("type NextRequest", "next/server")}\n` : ""}${importLine("proxy as signedInOnly, securityHeaders", "./lib/entrance")}

/** Paths only signed-in visitors may open: others go to sign in and come back. */
const SIGNED_IN_ONLY = ["/profile"];

/** Security headers on every page (no framing, a CSP with a nonce for Next's scripts). */
export async function proxy(request${ts ? ": NextRequest" : ""}) {
  if (SIGNED_IN_ONLY.some((path) => request.nextUrl.pathname.startsWith(path))) {
    const refusal = await signedInOnly(request);
    if (refusal) return refusal;
  }
  return securityHeaders(request);
}

// Every path but Next's static files.
export const config = { matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"] };
`,
    },
  ];
}

/**
 * Writes the Next.js files of @entrance/next's README that do not exist yet; never overwrites
 * one (a file init wrote earlier is left as it is; another is reported with what to add). Returns
 * the lines to print.
 */
export function writeNextFiles(project: Project, emulator: boolean): string[] {
  const out: string[] = [];
  for (const { path, content } of nextFiles(project, emulator)) {
    const name = relative(project.dir, path);
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content, { flag: "wx" });
      out.push(`${name}: written`);
    } else if (readFileSync(path, "utf8").includes(MARK)) {
      out.push(`${name}: already written by an earlier init; left as it is`);
    } else {
      out.push(`${name} exists: not overwritten; what it should hold:`, "", content);
    }
  }
  return out;
}

/** What to do next in a Next.js app, once the files are there. */
export const NEXT_WIRING = [
  "In a server component: `const { user, loginUrl, logoutUrl } = await auth();` (import { auth } from lib/entrance)",
  "Sign-out: a form posting to `logoutUrl`; a protected route handler: `export const GET = requireAuth(async (request, context, { user }) => Response.json(user));`",
  "Start the app with `next dev` (it reads .env itself); Entrance needs Next's Node.js runtime, not the edge runtime.",
];
