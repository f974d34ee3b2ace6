/**
 * Microsoft's identity clouds: each national cloud is a separate instance of Entra ID with its own
 * sign-in host, its own tenants and its own Microsoft Graph. An app registered in one cannot sign
 * in or call Graph in another, so the authority host decides the Graph host.
 *
 * Sources (Microsoft Learn): "National clouds" (entra/identity-platform/authentication-national-cloud)
 * for the sign-in hosts, "Microsoft Graph national cloud deployments" (graph/deployments) for the
 * Graph hosts.
 */

/** A cloud Entrance knows by its sign-in host. */
export type CloudName = "global" | "usgov" | "china";

/** One cloud's hosts. */
export interface Cloud {
  readonly name: CloudName;
  /** What people call it, for messages. */
  readonly title: string;
  /** Sign-in hosts (`AZURE_AUTHORITY_HOST`), the preferred one first. */
  readonly authorityHosts: readonly string[];
  /** Microsoft Graph hosts of this cloud, the default one first. */
  readonly graphHosts: readonly string[];
}

/**
 * The clouds. US Government has two Graph deployments on one sign-in host: L4 (GCC High) on
 * graph.microsoft.us and L5 (DoD) on dod-graph.microsoft.us. China (operated by 21Vianet) signs in
 * on login.partner.microsoftonline.cn, which Entra's national-cloud page names, and on
 * login.chinacloudapi.cn, which the Graph deployments page and the Azure SDKs name.
 */
export const CLOUDS: readonly Cloud[] = [
  {
    name: "global",
    title: "the global Azure cloud",
    authorityHosts: ["login.microsoftonline.com", "login.microsoft.com", "login.windows.net"],
    graphHosts: ["graph.microsoft.com"],
  },
  {
    name: "usgov",
    title: "Azure US Government",
    authorityHosts: ["login.microsoftonline.us", "login.usgovcloudapi.net"],
    graphHosts: ["graph.microsoft.us", "dod-graph.microsoft.us"],
  },
  {
    name: "china",
    title: "Azure China operated by 21Vianet",
    authorityHosts: ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"],
    graphHosts: ["microsoftgraph.chinacloudapi.cn"],
  },
];

/** The cloud whose sign-in host `authorityHost` (a URL) names; undefined for another host. */
export function cloudOfAuthority(authorityHost: string): Cloud | undefined {
  const host = new URL(authorityHost).host.toLowerCase();
  return CLOUDS.find((cloud) => cloud.authorityHosts.includes(host));
}

/** The cloud whose Graph host `graphBaseUrl` (a URL) names; undefined for another host. */
export function cloudOfGraph(graphBaseUrl: string): Cloud | undefined {
  const host = new URL(graphBaseUrl).host.toLowerCase();
  return CLOUDS.find((cloud) => cloud.graphHosts.includes(host));
}

/**
 * The Graph base URL an app uses when it sets none: its cloud's Graph, and the global Graph for a
 * sign-in host Entrance does not know (the emulator, which is then given its own Graph URL).
 */
export function defaultGraphBaseUrl(authorityHost: string): string {
  const cloud = cloudOfAuthority(authorityHost);
  return `https://${cloud?.graphHosts[0] ?? "graph.microsoft.com"}`;
}

/**
 * Why the pair cannot work, or undefined when it can: both hosts are Microsoft's and belong to
 * different clouds (a token from one cloud is refused by the other's Graph). A host Microsoft
 * does not publish (the emulator, a proxy) is not judged.
 */
export function cloudMismatch(authorityHost: string, graphBaseUrl: string): string | undefined {
  const signIn = cloudOfAuthority(authorityHost);
  const graph = cloudOfGraph(graphBaseUrl);
  if (!signIn || !graph || signIn === graph) return undefined;
  const hosts = signIn.graphHosts.map((host) => `https://${host}`).join(" or ");
  return (
    `the sign-in host ${new URL(authorityHost).host} is ${signIn.title} but the Graph host ` +
    `${new URL(graphBaseUrl).host} is ${graph.title}: tokens of one cloud are refused by the ` +
    `other. Set ENTRANCE_GRAPH_URL to ${hosts}, or leave it unset to use ${cloudDefault(signIn)}`
  );
}

function cloudDefault(cloud: Cloud): string {
  return `https://${cloud.graphHosts[0]}`;
}
