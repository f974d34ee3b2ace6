/**
 * Helpers for tests that use the emulator: real HTTP, real pages, real tokens.
 * @module
 */

export { claimsChallenge, throttled } from "./faults.js";
export {
  type MsalNetworkModule,
  type RawResponse,
  type RequestOptions,
  request,
  trustingNetworkClient,
} from "./http-client.js";
export {
  type AppRedirect,
  pickAccount,
  type SignInOptions,
  type SignInResult,
  signInWithoutBrowser,
} from "./sign-in.js";
