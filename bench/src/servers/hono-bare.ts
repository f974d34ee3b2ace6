/** Baseline: the page on bare Hono 4 (@hono/node-server), no sign-in, the user's name fixed. */
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { BENCH_USER, PAGE_PATH, renderPage } from "./page.js";
import { serveListener } from "./serve.js";

await serveListener(async () => {
  const app = new Hono();
  app.get(PAGE_PATH, (c) => c.html(renderPage(BENCH_USER.name)));
  return { listener: getRequestListener(app.fetch) };
});
