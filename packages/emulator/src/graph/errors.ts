/** The `error.code` values the emulator's Graph answers with, as Microsoft Graph spells them. */
export type GraphErrorCode =
  | "InvalidAuthenticationToken"
  | "Authorization_RequestDenied"
  | "Request_ResourceNotFound"
  | "BadRequest"
  | "Request_BadRequest"
  | "Request_UnsupportedQuery"
  | "ImageNotFound"
  | "ErrorAccessDenied"
  | "ErrorItemNotFound";

/**
 * A Graph error response: thrown by handlers and turned into Graph's envelope
 * `{error: {code, message, innerError}}` in one place (`sendGraphError`).
 */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: GraphErrorCode,
    message: string,
    /** Extra response headers, e.g. `WWW-Authenticate` on a 401. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** The Graph errors the emulator produces, by the name of their cause. */
export const graphErrors = {
  insufficientPrivileges: () =>
    new GraphError(
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    ),
  /** Graph's wording, which also covers ids of objects that exist in another tenant. */
  userNotFound: (id: string) =>
    new GraphError(
      404,
      "Request_ResourceNotFound",
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    ),
  imageNotFound: () =>
    new GraphError(
      404,
      "ImageNotFound",
      "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
    ),
  photoSizeNotFound: (size: string) =>
    new GraphError(
      404,
      "ImageNotFound",
      `The photo size '${size}' is not available. Sizes: 48x48, 64x64, 96x96, 120x120, 240x240, 360x360, 432x432, 504x504, 648x648.`,
    ),
  unknownProperty: (name: string, type: string) =>
    new GraphError(
      400,
      "BadRequest",
      `Could not find a property named '${name}' on type '${type}'.`,
    ),
  badRequest: (message: string) => new GraphError(400, "Request_BadRequest", message),
  /** Advanced queries ($count, $search, $filter, $orderby, casts) on directory objects. */
  needsEventualConsistency: (what: string) =>
    new GraphError(
      400,
      "Request_UnsupportedQuery",
      `Request with ${what} only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'`,
    ),
  unsupportedQuery: (message: string) => new GraphError(400, "Request_UnsupportedQuery", message),
  /**
   * Mail and calendars answer with Exchange's codes, not the directory's. Graph's text, then what
   * the emulator adds to say why.
   */
  accessDenied: (why?: string) =>
    new GraphError(
      403,
      "ErrorAccessDenied",
      why === undefined
        ? "Access is denied. Check credentials and try again."
        : `Access is denied. Check credentials and try again. ${why}`,
    ),
  itemNotFound: () =>
    new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store."),
} as const;
