/**
 * Bare Fastify with the two hooks Entrance puts on the page's path and nothing in them: an
 * app-wide `onRequest` hook and the route's `preHandler`, each calling `done()`. The share of the
 * gap to bare Fastify that is Fastify's own cost of a hook.
 */
import type { onRequestHookHandler, preHandlerHookHandler } from "fastify";
import { fastifyApp } from "./fastify.js";
import { BENCH_USER, PAGE_PATH, renderPage } from "./page.js";
import { serveListener } from "./serve.js";

const onRequest: onRequestHookHandler = (_request, _reply, done) => done();
const preHandler: preHandlerHookHandler = (_request, _reply, done) => done();

await serveListener(async () => {
  const { app, listener } = fastifyApp();
  app.addHook("onRequest", onRequest);
  app.get(PAGE_PATH, { preHandler }, async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(renderPage(BENCH_USER.name)),
  );
  await app.ready();
  return { listener: listener(), close: () => app.close() };
});
