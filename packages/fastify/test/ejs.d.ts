// ejs ships no types; the test only hands it to @fastify/view as its engine.
declare module "ejs";
