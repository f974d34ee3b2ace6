import { html, type Interpolation, type SafeHtml } from "@entrance/core";
import type { AdminUrls } from "../urls.js";

/** Who is looking at the page, for the header. */
export interface Viewer {
  readonly name: string;
  readonly username: string | null;
}

/** What every page of the panel is framed with. */
export interface Frame {
  readonly urls: AdminUrls;
  /** Null on pages shown to people who are not administrators: no panel navigation then. */
  readonly viewer: Viewer | null;
  readonly logoutUrl: string;
}

/** The page frame: skip link, header with navigation and who is signed in, main landmark. */
export function layout(
  frame: Frame,
  page: { title: string; section?: "users" | "audit"; body: Interpolation },
): SafeHtml {
  const { urls, viewer } = frame;
  const link = (href: string, label: string, section: "users" | "audit") =>
    html`<li><a href="${href}"${page.section === section ? html` aria-current="page"` : ""}>${label}</a></li>`;
  const nav = viewer
    ? html`<nav aria-label="Admin"><ul>${link(urls.users(), "Users", "users")}${link(urls.audit(), "Audit log", "audit")}</ul></nav>
<div class="who"><span>Signed in as <strong>${viewer.name}</strong></span><a href="/">Back to the app</a><a href="${frame.logoutUrl}">Sign out</a></div>`
    : html`<div class="who"><a href="/">Back to the app</a></div>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · Entrance admin</title>
<link rel="stylesheet" href="${urls.stylesheet}">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="bar"><a class="brand" href="${urls.users()}">Entrance <span>admin</span></a>${nav}</header>
<main id="main" tabindex="-1">
${page.body}
</main>
</body>
</html>
`;
}
