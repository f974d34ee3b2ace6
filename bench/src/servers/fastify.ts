/** A Fastify app's Node request listener, without a server of its own (the bench's serves it). */
import { createServer, type RequestListener } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";

export function fastifyApp(): { app: FastifyInstance; listener: () => RequestListener } {
  let handler: RequestListener | undefined;
  const app = Fastify({
    serverFactory: (h) => {
      handler = h;
      return createServer();
    },
  });
  return {
    app,
    listener: () => {
      if (!handler) throw new Error("Fastify has not made its handler yet");
      return handler;
    },
  };
}
