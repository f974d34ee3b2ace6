/** The page every server under test renders, so that all of them answer the very same bytes. */
export function renderPage(displayName: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Your page</title></head>
<body>
<h1>Hello, ${escapeHtml(displayName)}</h1>
<p>This page is only for signed-in users.</p>
</body>
</html>
`;
}

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** The path of the page on every server. */
export const PAGE_PATH = "/page";

/** The user the page benchmark signs in, and the name the bare server renders. */
export const BENCH_USER = { upn: "megan@contoso.onmicrosoft.com", name: "Megan Bowen" } as const;
