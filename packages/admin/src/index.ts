/**
 * @entrance/admin: the Entrance admin panel — users, sessions, tokens and the audit log —
 * server-rendered, gated by an Entra app role, mountable in any framework through `createAdmin`
 * (`Request` → `Response`). This entry imports no web framework: a framework's mount is a
 * subpath export of its own (see the README), so an app that does not use that framework
 * never loads it, nor needs its types.
 * @module
 */
export { type AdminRequestContext, createAdmin, type EntranceAdmin } from "./admin.js";
export {
  type AdminOptions,
  DEFAULT_ADMIN_ROLE,
  type ResolvedAdminOptions,
} from "./options.js";
