/** What an AADSTS code means, its likely cause and the fix, for the sign-in error page. */
export interface Explanation {
  readonly meaning: string;
  readonly fix: string;
}

/** Explanations of the AADSTS codes people meet when wiring up sign-in. */
export function explainAadsts(
  code: number,
  context: { redirectUri: string; clientId: string },
): Explanation | undefined {
  switch (code) {
    case 50011:
      return {
        meaning: "The redirect URI sent by the app is not registered for it.",
        fix: `Add ${context.redirectUri} as a Web redirect URI of app ${context.clientId} (App registrations → Authentication), or set ENTRANCE_BASE_URL to the origin you registered.`,
      };
    case 700016:
      return {
        meaning: "Entra ID does not know this application in this tenant.",
        fix: "Check AZURE_CLIENT_ID and AZURE_TENANT_ID; a single-tenant app must be used with its own tenant.",
      };
    case 7000215:
    case 7000222:
      return {
        meaning: "The client secret is wrong or has expired.",
        fix: "Create a new client secret (Certificates & secrets) and set its value — not its id — as AZURE_CLIENT_SECRET.",
      };
    case 65001:
    case 65004:
      return {
        meaning: "The user (or an administrator) has not consented to what the app asked for.",
        fix: "Sign in again and accept, or ask an administrator to grant consent for the organization.",
      };
    case 50058:
      return {
        meaning: "No user is signed in to Entra ID in this browser.",
        fix: "Sign in again.",
      };
    case 50194:
      return {
        meaning: "The app is single-tenant but was used with /common or /organizations.",
        fix: "Set AZURE_TENANT_ID to your tenant id, or make the app registration multi-tenant.",
      };
    case 50020:
    case 50034:
      return {
        meaning: "This account does not exist in the tenant the app signs in to.",
        fix: "Sign in with an account of the organization, or have it invited as a guest.",
      };
    case 50057:
      return {
        meaning: "The account is disabled in Entra ID.",
        fix: "Ask an administrator to enable it.",
      };
    case 54005:
    case 70008:
      return {
        meaning: "The sign-in response was used already or has expired.",
        fix: "Sign in again; if it keeps happening, check that nothing replays the callback URL.",
      };
    case 90002:
      return {
        meaning: "The tenant does not exist.",
        fix: "Check AZURE_TENANT_ID and AZURE_AUTHORITY_HOST.",
      };
    default:
      return undefined;
  }
}
