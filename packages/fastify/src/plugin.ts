import {
  type AdapterOptions,
  adapterCore,
  contextOrAnswer,
  type Entrance,
  type EntranceContext,
  nodeRequestLike,
  toWebRequest,
} from "@entrance/core";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { type FastifyGuards, guards } from "./guards.js";
import { sendResponse } from "./reply.js";
import type { FastifyLocals } from "./types.js";

/**
 * Options of the plugin: the core's, with the store optional (default: @entrance/store-sql, with
 * @entrance/store-redis for the session side when REDIS_URL is set).
 */
export type FastifyEntranceOptions = AdapterOptions;

/** `app.entrance`: the core, and guards checked against it when built. */
export type FastifyEntrance = FastifyGuards & { readonly core: Entrance };

const plugin: FastifyPluginAsync<FastifyEntranceOptions> = async (fastify, options) => {
  // Fastify's own register options are not Entrance's.
  const {
    prefix: _p,
    logLevel: _l,
    logSerializers: _s,
    ...own
  } = options as typeof options & Record<"prefix" | "logLevel" | "logSerializers", unknown>;
  const core = adapterCore(own);
  guards.remember(core);
  const { origins } = core;
  fastify.decorate("entrance", { core, ...guards.boundTo(core) });
  // Reference values are set per request, never shared: decorated as null.
  fastify.decorateRequest("entrance", null as unknown as EntranceContext);
  // The convention @fastify/view and others follow: whoever comes first decorates `locals`. When
  // it is this plugin, the locals are made the first time they are read (a template, a handler):
  // a route that reads none, as an API's, pays nothing for them. Registered after another
  // plugin's `locals`, they are put into its object on every request, as it expects.
  const lazyLocals = !fastify.hasReplyDecorator("locals");
  if (lazyLocals) {
    fastify.decorateReply(LOCALS, undefined);
    fastify.decorateReply("locals", { getter: localsOf, setter: setLocals });
  }
  fastify.addHook("onClose", () => core.close());

  const give = (request: FastifyRequest, reply: FastifyReply, context: EntranceContext) => {
    request.entrance = context;
    reply.headers(context.responseHeaders);
    if (lazyLocals) return;
    reply.locals ??= {} as FastifyLocals;
    context.assignLocals(reply.locals);
  };
  // Callback style: most requests (a session cached in process) pass without a promise.
  fastify.addHook("onRequest", (request, reply, done) => {
    const url = request.raw.url ?? "/";
    if (core.ownsPath(url)) {
      core
        .handle(toWebRequest(request.raw, url, origins.ofNode(request.raw)), { ip: request.ip })
        .then((response) => {
          if (response) return void sendResponse(reply, response).catch(done);
          done();
        }, done);
      return;
    }
    const context = contextOrAnswer(
      core,
      nodeRequestLike(request.raw, url, origins.ofNode(request.raw)),
    );
    if (!(context instanceof Promise)) {
      give(request, reply, context);
      return done();
    }
    context.then((late) => {
      if (late instanceof Response) return void sendResponse(reply, late).catch(done);
      give(request, reply, late);
      done();
    }, done);
  });
};

/** Where a reply keeps its locals once made or set (`reply.locals` reads and writes it). */
const LOCALS = Symbol("entrance.locals");

type WithLocals = FastifyReply & { [LOCALS]: FastifyLocals | undefined };

/** `reply.locals`: what was set, else the request's template locals, made now (null without). */
function localsOf(this: FastifyReply): FastifyLocals {
  const reply = this as WithLocals;
  let locals = reply[LOCALS];
  if (locals === undefined) {
    const context = reply.request.entrance;
    // Entrance's own routes and store failures have no context: their locals stay null.
    if (!context) return null as unknown as FastifyLocals;
    locals = {} as FastifyLocals;
    context.assignLocals(locals);
    reply[LOCALS] = locals;
  }
  return locals;
}

function setLocals(this: FastifyReply, locals: FastifyLocals): void {
  (this as WithLocals)[LOCALS] = locals;
}

/**
 * Sign-in with Microsoft Entra ID for Fastify: serves Entrance's routes and gives every request
 * `request.entrance` and every template (`reply.locals`) `user`, `loginUrl`, `logoutUrl`,
 * `popupScriptUrl`. Reads AZURE_* and ENTRANCE_* unless given; a bad value fails registration.
 *
 * @example
 * await app.register(entrance);
 * app.get("/me", { preHandler: app.entrance.requireAuth() }, (req) => req.entrance.user);
 */
export const entrance = fp(plugin, { fastify: "5.x", name: "@entrance/fastify" });
