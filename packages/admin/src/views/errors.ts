import { html, type SafeHtml } from "@entrance/core";
import { type Frame, layout } from "./layout.js";

/** For someone signed in without the admin role: who they are, and which role is missing. */
export function forbiddenPage(
  frame: Frame,
  who: { name: string; username: string | null },
  role: string,
  switchAccountUrl: string,
): SafeHtml {
  return layout(frame, {
    title: "Not an administrator",
    body: html`<div class="card confirm">
<h1>You are not an administrator of this app</h1>
<p id="message">You are signed in as <strong>${who.name}</strong>${who.username && who.username !== who.name ? html` (<span class="mono">${who.username}</span>)` : ""}, who does not hold the app role <code id="missing-role">${role}</code>.</p>
<p class="muted">An administrator of your organization assigns app roles in Microsoft Entra ID (Enterprise applications → this app → Users and groups). A role given to you there counts from your next sign-in.</p>
<div class="actions"><a class="button" href="${switchAccountUrl}">Sign in as someone else</a><a class="button secondary" href="/">Back to the app</a></div>
</div>`,
  });
}

/** A page that says what went wrong and where to go, for 400, 404 and 500. */
export function problemPage(
  frame: Frame,
  problem: { title: string; message: string; back?: { href: string; label: string } },
): SafeHtml {
  return layout(frame, {
    title: problem.title,
    body: html`<div class="card confirm">
<h1>${problem.title}</h1>
<p id="message">${problem.message}</p>
${problem.back ? html`<div class="actions"><a class="button secondary" href="${problem.back.href}">${problem.back.label}</a></div>` : ""}
</div>`,
  });
}
