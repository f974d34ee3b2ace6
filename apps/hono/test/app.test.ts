/**
 * The Hono example end to end over HTTP, on @hono/node-server: started as `npm run start:hono`
 * starts it (the
 * embedded emulator, the default SQLite store, a development secret), on free ports and a
 * temporary folder; signed in through the emulator's pages, the profile read from Graph, signed
 * out.
 */
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Browser } from "@entrance/adapter-conformance";
import type { RunningEmulator } from "@entrance/emulator";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { development } from "../src/development.js";

let folder: string;
let base: string;
let emulator: RunningEmulator | undefined;
let stop: () => Promise<void>;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "entrance-example-hono-"));
  let app: Hono | undefined;
  const server = createAdaptorServer({
    fetch: (request, env) => (app ? app.fetch(request, env) : new Response(null, { status: 503 })),
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
  const dev = await development(base, folder, {});
  emulator = dev.emulator;
  const example = createApp({ ...dev.options, databaseUrl: join(folder, "entrance.db"), env: {} });
  app = example.app as unknown as Hono;
  stop = async () => {
    if ("closeAllConnections" in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await example.auth.core.close();
  };
});

afterAll(async () => {
  await stop?.();
  await emulator?.stop();
  await rm(folder, { recursive: true, force: true });
});

describe("the Hono example", () => {
  it("signs in from the home page's button, shows the Graph profile, and signs out", async () => {
    if (!emulator) throw new Error("the example did not start the emulator");
    const browser = new Browser(base);
    const home = await (await browser.page("/")).text();
    const signIn = /id="sign-in" href="([^"]+)"/.exec(home)?.[1] ?? "";
    expect(signIn).toBe("/auth/login?returnTo=%2F");

    const callback = await browser.signInAt(emulator, signIn, "lee@contoso.onmicrosoft.com");
    expect(callback.headers.get("location")).toBe("/");
    const signedIn = await browser.page("/");
    expect(signedIn.headers.get("cache-control")).toBe("no-store");
    expect(await signedIn.text()).toContain(
      "signed in as <strong>lee@contoso.onmicrosoft.com</strong>",
    );

    const profile = await browser.page("/profile");
    expect(profile.status).toBe(200);
    expect(profile.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const text = await profile.text();
    expect(text).toContain("<td>Lee Gu</td>");
    expect(text).toContain("<td>lee.gu@contoso.com</td>");
    expect(text).toContain('<form method="post" action="/auth/logout">');

    const out = await browser.post("/auth/logout");
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toContain(
      `${emulator.urls.http}/organizations/oauth2/v2.0/logout`,
    );
    expect(await (await browser.page("/")).text()).toContain('id="sign-in"');
    const again = await browser.page("/profile");
    expect(again.status).toBe(302);
    expect(again.headers.get("location")).toBe("/auth/login?returnTo=%2Fprofile");
  });
});
