/**
 * External ID's own sign-in hosts. A real external tenant answers on `{subdomain}.ciamlogin.com`
 * (and on `{tenant id}.ciamlogin.com`); its discovery document puts every endpoint on the host it
 * was asked on, and names the issuer `https://{tenant id}.ciamlogin.com/{tenant id}/v2.0` whatever
 * the host, which is what MSAL's CIAM handling (`@azure/msal-common` Authority) is written for.
 *
 * The emulator answers as such a host when a request on its https port names one of its external
 * tenants' hosts (a name is routed here only by an explicit opt-in: testing/host-route.ts). While
 * it serves such a request, the host is kept in an AsyncLocalStorage, so that every URL and issuer
 * the handlers write follows it without each handler being told — the same handlers answer for the
 * loopback origin, where nothing changes.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Tenant } from "../config/schema.js";
import type { Directory } from "../directory.js";

/** The host suffix of External ID's sign-in hosts. */
export const CIAM_HOST_SUFFIX = ".ciamlogin.com";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A request served as an external tenant's ciamlogin.com host. */
export interface CiamHost {
  /** `https://{host}` as the client named it (with its port when not 443). */
  readonly origin: string;
  readonly tenant: Tenant;
}

const serving = new AsyncLocalStorage<CiamHost | undefined>();

/**
 * The external tenant whose sign-in host `hostname` is: `{subdomain}.ciamlogin.com` for the tenant
 * `{subdomain}.onmicrosoft.com`, or `{tenant id}.ciamlogin.com`. Undefined for any other name, and
 * for workforce and B2C tenants (they have no ciamlogin.com host).
 */
export function ciamTenantOf(directory: Directory, hostname: string): Tenant | undefined {
  const name = hostname.toLowerCase();
  if (!name.endsWith(CIAM_HOST_SUFFIX)) return undefined;
  const label = name.slice(0, -CIAM_HOST_SUFFIX.length);
  if (!/^[a-z0-9-]{1,63}$/.test(label)) return undefined;
  const tenant = directory.tenant(GUID.test(label) ? label : `${label}.onmicrosoft.com`);
  return tenant?.kind === "external" ? tenant : undefined;
}

/** The `Host` a request names, as an owned ciamlogin.com host, or undefined. */
export function ciamHostOf(directory: Directory, host: string | undefined): CiamHost | undefined {
  if (!host || !URL.canParse(`https://${host}`)) return undefined;
  const url = new URL(`https://${host}`);
  if (url.username || url.password || url.pathname !== "/") return undefined;
  const tenant = ciamTenantOf(directory, url.hostname);
  return tenant ? { origin: url.origin, tenant } : undefined;
}

/** Runs `serve` as the host `host` (undefined: the emulator's own loopback origin). */
export function serveAs<T>(host: CiamHost | undefined, serve: () => T): T {
  return serving.run(host, serve);
}

/** The ciamlogin.com host the current request is served as, if any. */
export function servedCiamHost(): CiamHost | undefined {
  return serving.getStore();
}

/** External ID's issuer for a tenant: `https://{tid}.ciamlogin.com/{tid}/v2.0`. */
export function ciamIssuer(tenantId: string): string {
  return `https://${tenantId}${CIAM_HOST_SUFFIX}/${tenantId}/v2.0`;
}
