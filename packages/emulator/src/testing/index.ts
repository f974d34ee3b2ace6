/**
 * Helpers for tests that use the emulator: real HTTP, real pages, real tokens.
 * @module
 */

export { type AppTokenOptions, clientCredentialsToken } from "./app-token.js";
export { type B2cStep, followB2cLink, openB2cPage, submitB2cForm } from "./b2c.js";
export {
  type ClientAssertionOptions,
  createTestCertificate,
  signClientAssertion,
  type TestCertificate,
} from "./certificates.js";
export { signInWithEmailOtp } from "./email-otp.js";
export { claimsChallenge, consentRequired, interactionRequired, throttled } from "./faults.js";
export { type HostProxy, routeCiamHostsThrough, startEmulatorHostProxy } from "./host-route.js";
export {
  type MsalNetworkModule,
  type RawResponse,
  type RequestOptions,
  request,
  trustingNetworkClient,
} from "./http-client.js";
export {
  type AppRedirect,
  type BackToApp,
  pickAccount,
  type SignInOptions,
  type SignInResult,
  signInOnPages,
  signInWithoutBrowser,
} from "./sign-in.js";
export { type SignUpOptions, signUpOnPages } from "./sign-up.js";
