const TENANT_TEMPLATE = "{tenantid}";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `iss` is an issuer of the configured authority: the metadata's issuer itself, or — for
 * `organizations`/`common`, whose issuer reads `…/{tenantid}/v2.0` — that template with a tenant
 * id in place, the tenant being one of `allowedTenants` when the app lists any.
 */
export function issuerMatches(
  metadataIssuer: string,
  iss: string,
  allowedTenants: readonly string[],
): boolean {
  const at = metadataIssuer.indexOf(TENANT_TEMPLATE);
  if (at < 0) return iss === metadataIssuer;
  const prefix = metadataIssuer.slice(0, at);
  const suffix = metadataIssuer.slice(at + TENANT_TEMPLATE.length);
  if (!iss.startsWith(prefix) || !iss.endsWith(suffix)) return false;
  const tenant = iss.slice(prefix.length, iss.length - suffix.length);
  if (!GUID.test(tenant)) return false;
  return allowedTenants.length === 0 || allowedTenants.includes(tenant.toLowerCase());
}
