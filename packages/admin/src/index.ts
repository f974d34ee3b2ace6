/**
 * @entrance/admin: the Entrance admin panel — users, sessions, tokens and the audit log —
 * server-rendered, gated by an Entra app role, mountable in any framework through `createAdmin`
 * (`Request` → `Response`) and in Express through `entranceAdmin()`.
 * @module
 */
export { type AdminRequestContext, createAdmin, type EntranceAdmin } from "./admin.js";
export { type ExpressAdminOptions, entranceAdmin } from "./express.js";
export {
  type AdminOptions,
  DEFAULT_ADMIN_ROLE,
  type ResolvedAdminOptions,
} from "./options.js";
