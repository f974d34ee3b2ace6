import { createHash, randomBytes, randomUUID } from "node:crypto";

/** A GUID derived from a name, so that generated directory objects keep their ids across runs. */
export function stableGuid(name: string): string {
  const hex = createHash("sha256").update(name).digest("hex");
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** A fresh GUID. */
export function newGuid(): string {
  return randomUUID();
}

/** An unguessable opaque value (256 bits), base64url. */
export function opaque(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/**
 * The object id of an app's service principal in a tenant: the `oid` and `sub` of its app-only
 * tokens. Entra makes one per tenant the app is used in; the emulator derives it, so it is stable.
 */
export function servicePrincipalId(tenantId: string, clientId: string): string {
  return stableGuid(`service-principal/${tenantId}/${clientId}`);
}
