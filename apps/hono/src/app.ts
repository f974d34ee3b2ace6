import {
  type EntranceEnv,
  type EntranceMiddleware,
  entrance,
  type HonoEntranceOptions,
  handleEntranceErrors,
  html,
  securityHeaders,
  type TemplateLocals,
} from "@entrance/hono";
import { Hono } from "hono";

/** What Microsoft Graph's /me says of the signed-in user (the fields this app shows). */
interface Profile {
  readonly displayName?: string;
  readonly mail?: string | null;
  readonly jobTitle?: string | null;
  readonly officeLocation?: string | null;
}

/** The example app and the Entrance middleware it uses (whose core to close on shutdown). */
export interface ExampleApp {
  readonly app: Hono<EntranceEnv>;
  readonly auth: EntranceMiddleware;
}

/**
 * The Hono example: a home page with "Sign in with Microsoft", a profile page showing the
 * user's Microsoft Graph profile, and sign-out.
 */
export function createApp(options: HonoEntranceOptions = {}): ExampleApp {
  const auth = entrance(options);
  const app = new Hono<EntranceEnv>();
  app.use(auth, securityHeaders());
  app.onError(handleEntranceErrors());

  app.get("/", (c) => {
    const { user, loginUrl } = c.get("entrance").locals;
    const body = user
      ? html`<p>You are signed in as <strong>${user.username}</strong>.</p>
          <p><a href="/profile">Your Microsoft Graph profile</a></p>`
      : html`<p><a class="button" id="sign-in" href="${loginUrl}">Sign in with Microsoft</a></p>`;
    return c.html(page(c.get("entrance").locals, "Home", body));
  });

  app.get("/profile", auth.requireAuth(), async (c) => {
    const me = (await c.get("entrance").graph.api("/me").get()) as Profile;
    const rows: [string, string | null | undefined][] = [
      ["Name", me.displayName],
      ["E-mail", me.mail],
      ["Job title", me.jobTitle],
      ["Office", me.officeLocation],
    ];
    const body = html`<h2>Your profile (Microsoft Graph /me)</h2>
      <table>${rows.map(([name, value]) => html`<tr><th>${name}</th><td>${value ?? "—"}</td></tr>`)}</table>`;
    return c.html(page(c.get("entrance").locals, "Profile", body));
  });
  return { app, auth };
}

/** Escaped HTML, from the `html` template. */
type Html = ReturnType<typeof html>;

function page(locals: TemplateLocals, title: string, body: Html): string {
  const who = locals.user
    ? html`${locals.user.displayName ?? locals.user.username}
      <form method="post" action="${locals.logoutUrl}"><button id="sign-out">Sign out</button></form>`
    : "";
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${title} · Entrance on Hono</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
header{display:flex;justify-content:space-between;gap:1rem}form{display:inline}th{text-align:left;padding-right:1rem}</style>
</head><body><header><a href="/">Entrance on Hono</a><span>${who}</span></header>
<main><h1>${title}</h1>${body}</main></body></html>`.value;
}
