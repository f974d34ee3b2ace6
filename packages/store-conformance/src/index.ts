/**
 * @entrance/store-conformance (private, for tests): the conformance suite every Entrance store
 * passes, per side of the storage contract — {@link sessionSideContract} (sessions, token
 * partitions, login transactions, locks), {@link directoryContract} (users, audit log) — and
 * {@link storeConformance} for both. Call one at the top level of a Vitest test file.
 * @module
 */
export {
  directoryContract,
  type OpenStore,
  type OpenStoreContext,
  type StoreConformanceOptions,
  sessionSideContract,
  storeConformance,
} from "./conformance.js";
