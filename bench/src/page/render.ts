/** The page both servers render, so that the two answer with the very same bytes. */
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

/** The name the bare server renders: the user the harness signs in to the Entrance server. */
export const BASELINE_NAME = "Megan Bowen";
