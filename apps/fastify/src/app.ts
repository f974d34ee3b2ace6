import {
  entrance,
  type FastifyEntranceOptions,
  type FastifyLocals,
  handleEntranceErrors,
  html,
  requireAuth,
  securityHeaders,
} from "@entrance/fastify";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";

/** What Microsoft Graph's /me says of the signed-in user (the fields this app shows). */
interface Profile {
  readonly displayName?: string;
  readonly mail?: string | null;
  readonly jobTitle?: string | null;
  readonly officeLocation?: string | null;
}

/**
 * The Fastify example: a home page with "Sign in with Microsoft", a profile page showing the
 * user's Microsoft Graph profile, and sign-out. `server` are Fastify's own options.
 */
export async function createApp(
  options: FastifyEntranceOptions = {},
  server: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify(server);
  await app.register(entrance, options);
  app.addHook("onSend", securityHeaders());
  app.setErrorHandler(handleEntranceErrors());

  app.get("/", async (_request, reply) => {
    const { user, loginUrl } = reply.locals;
    const body = user
      ? html`<p>You are signed in as <strong>${user.username}</strong>.</p>
          <p><a href="/profile">Your Microsoft Graph profile</a></p>`
      : html`<p><a class="button" id="sign-in" href="${loginUrl}">Sign in with Microsoft</a></p>`;
    return reply.type("text/html").send(page(reply.locals, "Home", body));
  });

  app.get("/profile", { preHandler: requireAuth() }, async (request, reply) => {
    const me = (await request.entrance.graph.api("/me").get()) as Profile;
    const rows: [string, string | null | undefined][] = [
      ["Name", me.displayName],
      ["E-mail", me.mail],
      ["Job title", me.jobTitle],
      ["Office", me.officeLocation],
    ];
    const body = html`<h2>Your profile (Microsoft Graph /me)</h2>
      <table>${rows.map(([name, value]) => html`<tr><th>${name}</th><td>${value ?? "—"}</td></tr>`)}</table>`;
    return reply.type("text/html").send(page(reply.locals, "Profile", body));
  });
  return app;
}

/** Escaped HTML, from the `html` template. */
type Html = ReturnType<typeof html>;

function page(locals: FastifyLocals, title: string, body: Html): string {
  const who = locals.user
    ? html`${locals.user.displayName ?? locals.user.username}
      <form method="post" action="${locals.logoutUrl}"><button id="sign-out">Sign out</button></form>`
    : "";
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${title} · Entrance on Fastify</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
header{display:flex;justify-content:space-between;gap:1rem}form{display:inline}th{text-align:left;padding-right:1rem}</style>
</head><body><header><a href="/">Entrance on Fastify</a><span>${who}</span></header>
<main><h1>${title}</h1>${body}</main></body></html>`.value;
}
