/**
 * The baseline with Express's cost of two middlewares: one `app.use` layer and one route
 * middleware, as Entrance's `app.use(entrance())` and `requireAuth()` add, each only calling
 * `next()`. The name is fixed, as on the bare server.
 */
import type { NextFunction, Request, Response } from "express";
import { BENCH_USER, PAGE_PATH, renderPage } from "./page.js";
import { serve } from "./serve.js";

const pass = (_req: Request, _res: Response, next: NextFunction) => next();

await serve(async (app) => {
  app.use(pass);
  app.get(PAGE_PATH, pass, (_req, res) => {
    res.type("html").send(renderPage(BENCH_USER.name));
  });
  return {};
});
