/** Baseline: the page on bare Express 5, no sign-in at all, with the signed-in user's name fixed. */
import { BENCH_USER, PAGE_PATH, renderPage } from "./page.js";
import { serve } from "./serve.js";

await serve(async (app) => {
  app.get(PAGE_PATH, (_req, res) => {
    res.type("html").send(renderPage(BENCH_USER.name));
  });
  return {};
});
