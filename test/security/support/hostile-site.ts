/**
 * A hostile web site for browser-attack tests: pages an attacker controls, on an origin of its
 * own, and a record of every request that reached it — so that a test can say "the browser never
 * got there", not only "the app's answer looked right".
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface HostileSite {
  /** The site's origin, `http://{host}:{port}`. */
  readonly origin: string;
  /** Every path (with its query) requested from the site, in order. */
  readonly hits: string[];
  /** Serves `html` at `path` (replacing what was there); returns the page's URL. */
  page(path: string, html: string): string;
  close(): Promise<void>;
}

/**
 * Starts the site on 127.0.0.1 and a free port. `host` is the name the browser uses: `127.0.0.1`
 * makes it another site than an app on `localhost`; `localhost` makes it another origin of the same
 * site (the worse case for framing: the browser then sends the app's SameSite=Lax cookies).
 */
export async function startHostileSite(host: "127.0.0.1" | "localhost"): Promise<HostileSite> {
  const pages = new Map<string, string>();
  const hits: string[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? "/";
    hits.push(path);
    const html = pages.get(path.split("?")[0] ?? path);
    response.writeHead(html === undefined ? 404 : 200, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    });
    response.end(html ?? "<!doctype html><title>Nothing here</title>");
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    hits,
    page(path, html) {
      pages.set(path, html);
      return `${origin}${path}`;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
