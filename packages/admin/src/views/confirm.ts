import { html, type Interpolation, type SafeHtml } from "@entrance/core";
import { type Frame, layout } from "./layout.js";

/** What a confirmation asks and what its form posts. */
export interface Confirmation {
  readonly title: string;
  readonly question: Interpolation;
  /** What will happen, one sentence each. */
  readonly effects: readonly Interpolation[];
  readonly button: string;
  readonly danger: boolean;
  /** Where the form posts (the same URL as this page). */
  readonly action: string;
  readonly csrfToken: string;
  readonly cancel: string;
}

/**
 * Every action is a GET that shows this page and a POST from its form: a link can never act by
 * itself, and the form carries the token that proves it was rendered for this admin session.
 */
export function confirmPage(frame: Frame, confirmation: Confirmation): SafeHtml {
  return layout(frame, {
    title: confirmation.title,
    section: "users",
    body: html`<section class="card confirm" aria-labelledby="confirm-title">
<h1 id="confirm-title">${confirmation.title}</h1>
<p>${confirmation.question}</p>
<ul>${confirmation.effects.map((effect) => html`<li>${effect}</li>`)}</ul>
<form method="post" action="${confirmation.action}">
<input type="hidden" name="csrf" value="${confirmation.csrfToken}">
<div class="actions">
<button class="button${confirmation.danger ? " danger" : ""}" type="submit" id="confirm">${confirmation.button}</button>
<a class="button secondary" href="${confirmation.cancel}" id="cancel">Cancel</a>
</div>
</form>
</section>`,
  });
}
