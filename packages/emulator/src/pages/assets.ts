/** The stylesheet of the emulator's pages. */
export const STYLE = `
:root { color-scheme: light; --accent: #0067b8; --text: #1b1b1b; --muted: #5e5e5e; --line: #d6d6d6; }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f2f2f2;
  font: 15px/1.45 "Segoe UI", system-ui, -apple-system, sans-serif; color: var(--text); }
.card { background: #fff; width: min(480px, 100vw); padding: 40px 44px; box-shadow: 0 2px 6px rgb(0 0 0 / 0.2); }
@media (max-width: 520px) { .card { padding: 28px 20px; box-shadow: none; min-height: 100vh; } }
.brand { margin: 0 0 16px; font-weight: 600; color: var(--muted); display: flex; align-items: center; gap: 8px; }
.logo { width: 20px; height: 20px; background:
  linear-gradient(90deg, #f25022 0 48%, transparent 48% 52%, #7fba00 52%) top / 100% 48% no-repeat,
  linear-gradient(90deg, #00a4ef 0 48%, transparent 48% 52%, #ffb900 52%) bottom / 100% 48% no-repeat; }
.tag { font-size: 11px; font-weight: 600; text-transform: uppercase; background: #fff4ce; color: #6b4f00;
  padding: 1px 6px; border-radius: 2px; }
h1 { font-size: 24px; font-weight: 600; margin: 0 0 8px; }
p { margin: 0 0 12px; }
.muted { color: var(--muted); font-size: 13px; }
ul.accounts { list-style: none; margin: 16px 0; padding: 0; border-top: 1px solid var(--line); }
ul.accounts li { border-bottom: 1px solid var(--line); }
ul.accounts form { margin: 0; }
ul.accounts button { all: unset; box-sizing: border-box; width: 100%; display: flex; gap: 12px; align-items: center;
  padding: 10px 8px; cursor: pointer; }
ul.accounts button:hover { background: #f2f2f2; }
ul.accounts button:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
ul.accounts .hinted button { background: #eaf3fb; }
.avatar { flex: none; width: 40px; height: 40px; border-radius: 50%; display: grid; place-items: center;
  color: #fff; font-weight: 600; }
.who { display: flex; flex-direction: column; min-width: 0; }
.who .name { font-weight: 600; }
.who .upn { color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }
.badges { margin-left: auto; display: flex; gap: 4px; flex-wrap: wrap; justify-content: flex-end; }
.badge { font-size: 11px; border: 1px solid var(--line); border-radius: 10px; padding: 0 7px; color: var(--muted); }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 20px 0 0; }
ul.scopes { padding-left: 20px; }
.actions { display: flex; gap: 8px; justify-content: flex-end; margin-top: 24px; }
.button { font: inherit; min-width: 108px; padding: 6px 12px; border: 1px solid var(--accent); cursor: pointer;
  background: var(--accent); color: #fff; text-decoration: none; text-align: center; }
.button.secondary { background: #fff; color: var(--text); border-color: #8a8a8a; }
.button:focus-visible { outline: 2px solid #000; outline-offset: 2px; }
.error { border-left: 4px solid #c50f1f; padding: 8px 12px; background: #fdf3f4; overflow-wrap: anywhere; }
dl.details { font-size: 12px; color: var(--muted); display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; }
dl.details dd { margin: 0; overflow-wrap: anywhere; }
iframe.logout { display: none; }
`;

/** Submits the response form of `response_mode=form_post` at once. */
export const FORM_POST_SCRIPT = `document.forms[0].submit();`;

/**
 * Continues to the post-logout redirect URI once the front-channel logout frames have loaded (the
 * window's load event waits for them), or after 4 s at most, as Entra's sign-out page does.
 */
export const SIGNED_OUT_SCRIPT = `
(function () {
  var link = document.getElementById("continue");
  if (!link) return;
  var done = false;
  function go() { if (!done) { done = true; window.location.replace(link.href); } }
  window.addEventListener("load", go);
  setTimeout(go, 4000);
})();
`;
