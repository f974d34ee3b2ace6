/**
 * Bare Hono with the two layers Entrance puts on the page's path and nothing in them: an
 * `app.use` middleware and a route middleware before the handler, each awaiting `next()`. The
 * share of the gap to bare Hono that is Hono's own cost of a middleware.
 */
import { getRequestListener } from "@hono/node-server";
import { Hono, type MiddlewareHandler } from "hono";
import { BENCH_USER, PAGE_PATH, renderPage } from "./page.js";
import { serveListener } from "./serve.js";

const layer: MiddlewareHandler = async (_c, next) => {
  await next();
};

await serveListener(async () => {
  const app = new Hono().use(layer);
  app.get(PAGE_PATH, layer, (c) => c.html(renderPage(BENCH_USER.name)));
  return { listener: getRequestListener(app.fetch) };
});
