/**
 * Which Microsoft cloud the emulator answers as. Each national cloud is a separate Entra ID with
 * its own sign-in host and Graph; the emulator always serves on its own loopback host, so what a
 * cloud changes is the shape of what it says about itself: the discovery document's
 * `cloud_instance_name`, `tenant_region_scope` and Graph host names, as that cloud's Entra
 * publishes them. Clients that take their cues from the discovery document (MSAL, Entrance) can
 * so be run against each cloud's shape.
 */

/** The clouds the emulator can answer as. */
export const EMULATED_CLOUDS = ["global", "usgov", "china"] as const;

/** A cloud the emulator can answer as (`--cloud`). */
export type EmulatedCloud = (typeof EMULATED_CLOUDS)[number];

/** What a cloud's discovery document says about the cloud. */
export interface CloudShape {
  /** The real sign-in host, for people reading the emulator's output. */
  readonly authorityHost: string;
  /** `cloud_instance_name`: the cloud's instance, its sign-in host without `login.`. */
  readonly cloudInstanceName: string;
  /** `tenant_region_scope` of the emulator's tenants in this cloud. */
  readonly tenantRegionScope: string;
  /** The real Microsoft Graph host of the cloud (the emulator serves Graph on its own host). */
  readonly graphHost: string;
  /**
   * Whether personal Microsoft accounts sign in here: only in the global cloud ("Supported
   * account types", Microsoft Learn). Elsewhere `consumers` is not found and `common` admits
   * work or school accounts only.
   */
  readonly personalAccounts: boolean;
}

/**
 * The shapes. Hosts from Microsoft Learn's "National clouds" and "Microsoft Graph national cloud
 * deployments"; `cloud_instance_name` follows the sign-in host as the global cloud's document
 * shows (`microsoftonline.com`). The region scopes of national tenants (`USGov`, `AS`) are
 * what such tenants are reported to publish (unconfirmed by Microsoft's documentation).
 */
export const CLOUD_SHAPES: Readonly<Record<EmulatedCloud, CloudShape>> = {
  global: {
    authorityHost: "login.microsoftonline.com",
    cloudInstanceName: "microsoftonline.com",
    tenantRegionScope: "EU",
    graphHost: "graph.microsoft.com",
    personalAccounts: true,
  },
  usgov: {
    authorityHost: "login.microsoftonline.us",
    cloudInstanceName: "microsoftonline.us",
    tenantRegionScope: "USGov",
    graphHost: "graph.microsoft.us",
    personalAccounts: false,
  },
  china: {
    authorityHost: "login.partner.microsoftonline.cn",
    cloudInstanceName: "partner.microsoftonline.cn",
    tenantRegionScope: "AS",
    graphHost: "microsoftgraph.chinacloudapi.cn",
    personalAccounts: false,
  },
};

/** Whether `value` names a cloud the emulator can answer as. */
export function isEmulatedCloud(value: string): value is EmulatedCloud {
  return (EMULATED_CLOUDS as readonly string[]).includes(value);
}
