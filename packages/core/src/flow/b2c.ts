/**
 * Azure AD B2C's turns in a sign-in: "Forgot your password?" comes back to the callback as
 * AADB2C90118, which starts the password-reset policy (and, after it, the browser lands where it
 * was going); a cancelled reset, profile edit or sign-up comes back as AADB2C90091, which returns
 * the browser where it was without an error page. The profile link starts the profile-edit policy.
 */
import { EntranceError } from "../errors/entrance-error.js";
import type { Runtime } from "../runtime.js";
import { PAGE_HEADERS, popupCompletePage } from "./pages.js";
import type { LoginTransaction } from "./transaction.js";

/** Starts a sign-in through `policy`, coming back to `returnTo` (in a popup when `popup`). */
export type StartPolicy = (policy: string, returnTo: string, popup: boolean) => Promise<Response>;

/** B2C's code in an `error_description` (`AADB2C90118: …`), or undefined. */
export function b2cErrorCode(description: string | null): string | undefined {
  return /^AADB2C(\d{5,6})\b/.exec(description ?? "")?.[1];
}

/**
 * The answer to a B2C error at the callback that is a step of the journey rather than a
 * failure, or undefined for any other error (which the callback reports as usual).
 */
export async function b2cJourney(
  rt: Runtime,
  transaction: LoginTransaction,
  description: string | null,
  start: StartPolicy,
): Promise<Response | undefined> {
  const b2c = rt.config.b2c;
  if (!b2c) return undefined;
  const code = b2cErrorCode(description);
  if (code === "90118") {
    if (!b2c.resetPassword) {
      throw new EntranceError(
        "identity_provider_error",
        "The person asked to reset their password, and this app has no password-reset policy: set AZURE_B2C_RESET_PASSWORD_POLICY (b2c.resetPassword).",
      );
    }
    return start(b2c.resetPassword, transaction.returnTo, transaction.popup);
  }
  if (code === "90091") return backTo(rt, transaction);
  return undefined;
}

/**
 * Back where the sign-in was started from, as it was: nothing changed, nothing to report. A popup
 * closes and tells its opener the sign-in was cancelled (the opener stays as it is).
 */
function backTo(rt: Runtime, transaction: LoginTransaction): Response {
  if (transaction.popup) {
    return new Response(
      popupCompletePage(transaction.returnTo, `${rt.assetPrefix}popup-complete.js`, "cancelled"),
      { status: 200, headers: PAGE_HEADERS },
    );
  }
  return new Response(null, {
    status: 302,
    headers: { location: transaction.returnTo, "cache-control": "no-store" },
  });
}

/** The profile-edit policy, or a clear error when the app has none. */
export function editProfilePolicy(rt: Runtime): string {
  const policy = rt.config.b2c?.editProfile;
  if (!policy) {
    throw new EntranceError(
      "config_invalid",
      "The profile link needs an Azure AD B2C profile-edit policy: set AZURE_B2C_EDIT_PROFILE_POLICY (b2c.editProfile).",
    );
  }
  return policy;
}
