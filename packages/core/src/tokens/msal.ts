import { ConfidentialClientApplication, LogLevel } from "@azure/msal-node";
import type { EntranceConfig } from "../config/schema.js";
import type { NetworkClient } from "../http/network.js";
import type { ClientCredential } from "./credential.js";

/**
 * A ConfidentialClientApplication for one request (MSAL adds openid, profile and offline_access
 * to the scopes of every request by itself), holding at most one user's cache. MSAL's shared
 * cache scans every entry on each call; a client per user keeps every call flat as users grow.
 * The authority's metadata is handed over, so creating one makes no network call.
 */
export function msalClient(
  config: EntranceConfig,
  credential: ClientCredential,
  authority: string,
  network: NetworkClient,
  authorityMetadata: string,
  serializedCache?: string,
): ConfidentialClientApplication {
  const host = new URL(config.authorityHost).host;
  const client = new ConfidentialClientApplication({
    auth: {
      clientId: config.clientId,
      ...credential,
      authority,
      knownAuthorities: [host],
      authorityMetadata,
      cloudDiscoveryMetadata: JSON.stringify({
        tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      }),
      clientCapabilities: ["cp1"],
    },
    system: {
      networkClient: network,
      loggerOptions: {
        logLevel: LogLevel.Error,
        piiLoggingEnabled: false,
        loggerCallback: () => {},
      },
    },
  });
  if (serializedCache) client.getTokenCache().deserialize(serializedCache);
  return client;
}
