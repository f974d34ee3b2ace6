import { resolve } from "node:path";
import { serve } from "@hono/node-server";
import { createApp } from "./app.js";
import { development } from "./development.js";

/**
 * `npm run start:hono`: the Hono example on http://localhost:3002 (PORT to change), on Node
 * through @hono/node-server. Without AZURE_TENANT_ID it starts the local Entra ID emulator first
 * and signs in against it.
 */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3002);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error("PORT must be a port number");
  const baseUrl = process.env.ENTRANCE_BASE_URL ?? `http://localhost:${port}`;
  const { options, emulator } = await development(baseUrl, resolve(".entrance"), process.env, {
    httpPort: 8400,
    httpsPort: 8443,
  });
  const { app, auth } = createApp(options);
  const server = serve({ fetch: app.fetch, port, hostname: "localhost" });
  await new Promise<void>((done, fail) => server.once("listening", done).once("error", fail));
  process.stdout.write(
    `Entrance on Hono: ${baseUrl}\n${emulator ? `Signing in against the local emulator (${emulator.urls.http}): pick any user, e.g. megan@contoso.onmicrosoft.com\n` : ""}`,
  );
  const stop = async () => {
    server.close();
    await auth.core.close();
    await emulator?.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  console.error(
    `hono example: could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
