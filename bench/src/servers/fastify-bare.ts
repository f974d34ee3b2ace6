/** Baseline: the page on bare Fastify 5, no sign-in at all, with the signed-in user's name fixed. */
import { fastifyApp } from "./fastify.js";
import { BENCH_USER, PAGE_PATH, renderPage } from "./page.js";
import { serveListener } from "./serve.js";

await serveListener(async () => {
  const { app, listener } = fastifyApp();
  app.get(PAGE_PATH, async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(renderPage(BENCH_USER.name)),
  );
  await app.ready();
  return { listener: listener(), close: () => app.close() };
});
