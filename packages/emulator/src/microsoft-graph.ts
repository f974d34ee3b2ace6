/** The application id of Microsoft Graph, the `aud` of Graph access tokens. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

/**
 * The Graph application permissions (app roles of Graph's service principal) that an app
 * registration may hold in the emulator's directory, for app-only tokens.
 */
export const GRAPH_APPLICATION_PERMISSIONS: ReadonlySet<string> = new Set([
  "User.Read.All",
  "User.ReadBasic.All",
  "GroupMember.Read.All",
  "Directory.Read.All",
  "Mail.Read",
  "Calendars.Read",
]);
