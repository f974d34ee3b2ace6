import { join } from "node:path";
import { development } from "./development.js";
import { APP_DIR, runNext } from "./next-server.js";

/**
 * `npm run start:next`: the Next.js example on http://localhost:3003 (PORT to change), served by
 * `next start` from the build `next build` made. Without AZURE_TENANT_ID it starts the local
 * Entra ID emulator first and gives Next the variables that sign in against it.
 */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3003);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error("PORT must be a port number");
  const baseUrl = process.env.ENTRANCE_BASE_URL ?? `http://localhost:${port}`;
  const { env, emulator } = await development(baseUrl, join(APP_DIR, ".entrance"), process.env, {
    httpPort: 8400,
    httpsPort: 8443,
  });
  const next = runNext(["start", "--port", String(port), "--hostname", "localhost"], env);
  process.stdout.write(
    `Entrance on Next.js: ${baseUrl}\n${emulator ? `Signing in against the local emulator (${emulator.urls.http}): pick any user, e.g. megan@contoso.onmicrosoft.com\n` : ""}`,
  );
  const stop = async () => {
    next.kill("SIGTERM");
    await emulator?.stop();
    process.exit(0);
  };
  next.once("exit", (code) => {
    void emulator?.stop().then(() => process.exit(code ?? 1));
  });
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  console.error(
    `next example: could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
