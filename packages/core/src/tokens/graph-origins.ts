import { EntranceError } from "../errors/entrance-error.js";

/**
 * The origins that may receive the user's Graph token: the Graph base URL's and those allowed
 * explicitly. Origins are compared exactly after URL normalisation (scheme, lower-case host,
 * default port dropped): no suffix or wildcard matching, so `https://graph.microsoft.com.evil`
 * or another port is another origin.
 */
export class GraphOrigins {
  readonly #origins: ReadonlySet<string>;

  /** Throws `config_invalid` when an allowed origin is not a bare https origin. */
  constructor(baseUrl: string, allowed: readonly string[] = []) {
    this.#origins = new Set([new URL(baseUrl).origin, ...allowed.map(originOf)]);
  }

  /**
   * Throws `graph_host_not_allowed` unless `url` is on an allowed origin. The message names the
   * origin only: a path or query taken from a client could carry data into logs.
   */
  check(url: string): void {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      throw new EntranceError(
        "graph_host_not_allowed",
        "A Microsoft Graph request URL is not a valid URL; the user's token was not sent.",
      );
    }
    if (this.#origins.has(origin)) return;
    throw new EntranceError(
      "graph_host_not_allowed",
      `A Microsoft Graph request to ${origin} was refused before it was sent: the user's token ` +
        "goes only to the Graph origin (ENTRANCE_GRAPH_URL) and explicitly allowed origins. Call " +
        'Graph with a path such as "/me", or add the exact origin to graphAllowedOrigins ' +
        "(ENTRANCE_GRAPH_ALLOWED_ORIGINS).",
    );
  }
}

function originOf(entry: string, index: number): string {
  const problem = new EntranceError(
    "config_invalid",
    `graphClient's allowedOrigins[${index}] must be an https origin such as ` +
      "https://contoso.sharepoint.com: scheme, host and optional port, without path, query or " +
      "credentials.",
  );
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw problem;
  }
  const bare = url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
  if (url.protocol !== "https:" || !bare) throw problem;
  return url.origin;
}
