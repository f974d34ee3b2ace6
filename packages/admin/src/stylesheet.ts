import { createHash } from "node:crypto";

/**
 * The panel's own stylesheet, served from the panel (the CSP allows no inline style). Colours are
 * chosen for contrast (WCAG AA and better): body text 16:1, muted text 7:1, links and buttons
 * 6.5:1, form borders 3.8:1 on white; focus is always visible. Tables turn into stacked cards
 * below 40rem so that a phone needs no sideways scrolling.
 */
export const STYLESHEET = `
:root {
  color-scheme: light;
  --bg: #f5f6f8;
  --surface: #ffffff;
  --text: #1c2127;
  --muted: #4f5863;
  --line: #dde1e6;
  --field: #7b8490;
  --accent: #0b5cad;
  --accent-soft: #e8f1fb;
  --danger: #b3261e;
  --danger-soft: #fdeceb;
  --ok: #116132;
  --ok-soft: #e6f4ea;
  --focus: #0b5cad;
  --radius: 8px;
  --mono: ui-monospace, "SFMono-Regular", "Cascadia Mono", Menlo, Consolas, monospace;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--text);
  background: var(--bg);
}
a { color: var(--accent); text-underline-offset: 2px; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 3px; }
.skip {
  position: absolute; left: 1rem; top: -4rem; z-index: 10;
  background: var(--surface); padding: .5rem 1rem; border-radius: var(--radius);
}
.skip:focus { top: .5rem; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap;
}

/* Header */
.bar {
  display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem;
  padding: .75rem clamp(1rem, 4vw, 2rem);
  background: var(--surface); border-bottom: 1px solid var(--line);
}
.brand { font-weight: 700; color: var(--text); text-decoration: none; letter-spacing: -.01em; }
.brand span { color: var(--muted); font-weight: 500; }
.bar nav ul { display: flex; gap: .25rem; margin: 0; padding: 0; list-style: none; }
.bar nav a {
  display: block; padding: .35rem .75rem; border-radius: 999px;
  color: var(--text); text-decoration: none; font-weight: 500;
}
.bar nav a:hover { background: var(--bg); }
.bar nav a[aria-current="page"] { background: var(--accent-soft); color: var(--accent); }
.who { margin-left: auto; display: flex; flex-wrap: wrap; gap: .25rem 1rem; color: var(--muted); font-size: .9rem; }

/* Page */
main { max-width: 80rem; margin: 0 auto; padding: 1.5rem clamp(1rem, 4vw, 2rem) 3rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0 1rem; letter-spacing: -.01em; }
h2 { font-size: 1.15rem; margin: 0 0 .75rem; }
p { margin: 0 0 1rem; }
.lead { color: var(--muted); margin-top: -.5rem; }
.crumbs { font-size: .9rem; margin: 0 0 .25rem; }
.card {
  background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius);
  padding: 1.25rem; margin: 0 0 1.5rem;
}
.card > :last-child { margin-bottom: 0; }
.mono, code { font-family: var(--mono); font-size: .85em; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.nowrap { white-space: nowrap; }

/* Messages */
.notice, .alert {
  border-radius: var(--radius); padding: .75rem 1rem; margin: 0 0 1.5rem;
  border: 1px solid; border-left-width: 5px;
}
.notice { background: var(--ok-soft); border-color: var(--ok); color: #0b3d20; }
.alert { background: var(--danger-soft); border-color: var(--danger); color: #5c130f; }

/* Badges */
.badge {
  display: inline-block; padding: .05rem .55rem; border-radius: 999px;
  font-size: .8rem; font-weight: 600; white-space: nowrap; border: 1px solid transparent;
}
.badge.ok { background: var(--ok-soft); color: var(--ok); border-color: #b7dfc3; }
.badge.off { background: var(--danger-soft); color: var(--danger); border-color: #f3c2be; }
.badge.plain { background: var(--bg); color: var(--muted); border-color: var(--line); }
.tags { display: flex; flex-wrap: wrap; gap: .25rem; margin: 0; padding: 0; list-style: none; }

/* Buttons */
.button {
  display: inline-flex; align-items: center; justify-content: center; min-height: 2.5rem;
  padding: .5rem 1rem; border-radius: 6px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; font: inherit; font-weight: 600;
  text-decoration: none; cursor: pointer; white-space: nowrap;
}
.button:hover { background: #094c8f; }
.button.secondary { background: var(--surface); color: var(--accent); }
.button.secondary:hover { background: var(--accent-soft); }
.button.danger { background: var(--danger); border-color: var(--danger); }
.button.danger:hover { background: #8f1e18; }
.button.danger.secondary { background: var(--surface); color: var(--danger); }
.button.danger.secondary:hover { background: var(--danger-soft); }
.button.small { min-height: 2rem; padding: .25rem .75rem; font-size: .9rem; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin: 0 0 1.5rem; }

/* Forms */
.filters { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: flex-end; }
.field { display: flex; flex-direction: column; gap: .25rem; flex: 1 1 12rem; }
.field.wide { flex: 3 1 18rem; }
.filters .actions { margin: 0; }
label { font-weight: 600; font-size: .9rem; }
input, select {
  font: inherit; color: var(--text); background: var(--surface);
  border: 1px solid var(--field); border-radius: 6px; padding: .45rem .6rem; min-height: 2.5rem;
  width: 100%;
}
input:focus-visible, select:focus-visible { outline-offset: 0; }
.hint { font-size: .85rem; color: var(--muted); }

/* Tables */
.table {
  background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius);
  overflow-x: auto; margin: 0 0 1rem;
}
table { width: 100%; border-collapse: collapse; }
caption { text-align: left; padding: .9rem 1rem; font-weight: 600; border-bottom: 1px solid var(--line); }
caption .muted { font-weight: 400; }
th, td { text-align: left; vertical-align: top; padding: .65rem .75rem; }
th:first-child, td:first-child { padding-left: 1rem; }
th:last-child, td:last-child { padding-right: 1rem; }
thead th {
  font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted);
  background: #f8f9fb; border-bottom: 1px solid var(--line); white-space: nowrap;
}
tbody tr + tr th, tbody tr + tr td { border-top: 1px solid var(--line); }
tbody tr:hover { background: #fafbfc; }
tbody th { font-weight: 600; }
/* break-word, not anywhere: long values still wrap, but columns are not squeezed to a letter. */
td, tbody th { overflow-wrap: break-word; }
.name a { font-weight: 600; }
.name .muted { display: block; font-size: .85rem; font-weight: 400; }
.empty { padding: 1.5rem 1rem; color: var(--muted); }

/* Facts */
.facts { display: grid; grid-template-columns: minmax(8rem, 14rem) 1fr; gap: .5rem 1.5rem; margin: 0; }
.facts dt { color: var(--muted); font-weight: 600; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.columns {
  display: grid; grid-template-columns: repeat(auto-fit, minmax(min(22rem, 100%), 1fr)); gap: 1.5rem;
}
.columns > * { min-width: 0; }
.columns > .card { margin: 0; }
.columns > div > .card:last-child { margin-bottom: 0; }
.columns + * { margin-top: 1.5rem; }

/* Paging */
.pages { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; justify-content: space-between; }
.pages ul { display: flex; gap: .5rem; margin: 0; padding: 0; list-style: none; }
.pages [aria-disabled="true"] { opacity: .45; pointer-events: none; }

/* Confirmation */
.confirm { max-width: 40rem; }
.confirm .actions { margin: 1.5rem 0 0; }

/* Phones: rows become cards, labels come from data-label */
@media (max-width: 40rem) {
  .who { margin-left: 0; width: 100%; }
  h1 { font-size: 1.35rem; }
  .facts { grid-template-columns: 1fr; gap: .1rem; }
  .facts dd { margin-bottom: .6rem; }
  .columns { grid-template-columns: minmax(0, 1fr); }
  .stack, .stack tbody { display: block; width: 100%; }
  .stack caption { display: block; }
  .stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .stack tbody tr { display: block; padding: .5rem 0; }
  .stack tbody th, .stack tbody td {
    display: block; position: relative; padding: .3rem 1rem .3rem 9rem; border: 0; min-height: 2rem;
    white-space: normal;
  }
  .stack tbody tr + tr { border-top: 1px solid var(--line); }
  .stack tbody th::before, .stack tbody td::before {
    content: attr(data-label); position: absolute; left: 1rem; top: .4rem; width: 7.25rem;
    color: var(--muted); font-weight: 600; font-size: .85rem;
  }
  .actions .button { flex: 1 1 auto; }
}

@media (prefers-reduced-motion: no-preference) {
  .button, .bar nav a { transition: background-color .15s ease; }
}
`;

/** A short content hash, for a stylesheet URL that can be cached for long. */
export const STYLESHEET_VERSION = createHash("sha256")
  .update(STYLESHEET)
  .digest("base64url")
  .slice(0, 10);
