/**
 * @entrance/emulator: a local Microsoft Entra ID (identity platform v2.0) and Microsoft Graph
 * emulator for development and tests.
 * @module
 */
export { Clock } from "./clock.js";
export { defaultDirectory, defaults } from "./config/default-directory.js";
export { externalDefaults } from "./config/default-external-tenant.js";
export { DirectoryConfigError, loadDirectoryFile, parseDirectory } from "./config/load.js";
export type {
  AppRegistration,
  AppRole,
  DirectoryConfig,
  DirectoryInput,
  Group,
  Tenant,
  User,
} from "./config/schema.js";
export { directorySchema } from "./config/schema.js";
export type { EmulatorUrls } from "./context.js";
export type { Control } from "./control/control.js";
export {
  ENDPOINTS,
  type Endpoint,
  type Fault,
  ID_TOKEN_DEFECTS,
  type IdTokenDefect,
} from "./control/faults.js";
export { CONSUMERS_TENANT_ID, type Directory } from "./directory.js";
export { type EmulatorOptions, type RunningEmulator, startEmulator } from "./emulator.js";
export {
  CLOUD_SHAPES,
  type CloudShape,
  EMULATED_CLOUDS,
  type EmulatedCloud,
} from "./protocol/clouds.js";
export { GRAPH_APP_ID } from "./protocol/tokens.js";
export { DEFAULT_LIFETIMES, type Lifetimes } from "./settings.js";
