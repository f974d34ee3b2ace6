import { entrance } from "@entrance/next";

/**
 * Entrance for this app, one per process. AZURE_* and ENTRANCE_* come from the environment:
 * `npm run start:next` sets them for the local emulator when AZURE_TENANT_ID is not set.
 */
export const { handlers, auth, proxy, securityHeaders, requireAuth, mount, withSignIn } =
  entrance();
