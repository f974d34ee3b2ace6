/**
 * entrance: the command line of Entrance (`npx entrance doctor | migrate | init`), and the same
 * commands for programs.
 * @module
 */
export { type DoctorOptions, doctor } from "./doctor/index.js";
export {
  type CheckName,
  type Finding,
  hasErrors,
  renderJson,
  renderText,
  type Severity,
} from "./findings.js";
export { type InitOptions, runInit } from "./init/index.js";
export { type Io, main } from "./main.js";
export { type MigrateOutcome, runMigrate } from "./migrate.js";
