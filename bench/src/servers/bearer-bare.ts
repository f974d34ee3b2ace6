/** Baseline of the bearer benchmark: the API route on bare Express 5, no token checked at all. */
import { defaults } from "@entrance/emulator";
import { API_PATH, renderOrders } from "./api.js";
import { serve } from "./serve.js";

await serve(async (app) => {
  app.get(API_PATH, (_req, res) => {
    res.type("json").send(renderOrders(defaults.users.admin));
  });
  return {};
});
