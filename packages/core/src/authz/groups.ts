import type { Client } from "@microsoft/microsoft-graph-client";
import { EntranceError, findEntranceError } from "../errors/entrance-error.js";
import type { UserRecord } from "../storage/types.js";

/** The most pages followed (999 groups each) before giving up. */
const MAX_PAGES = 50;

interface Page {
  readonly value?: readonly { readonly "@odata.type"?: string; readonly id?: string }[];
  readonly "@odata.nextLink"?: string;
}

/** Whether a user's stored resolution is recent enough to trust. */
export function freshResolution(
  user: UserRecord,
  maxAgeSeconds: number,
  now = Date.now(),
): readonly string[] | null {
  const resolved = user.resolvedGroups;
  if (!resolved) return null;
  return now - resolved.resolvedAt.getTime() < maxAgeSeconds * 1000 ? resolved.ids : null;
}

/**
 * Every group the user is a member of, directly or through other groups, from Graph's
 * `/me/transitiveMemberOf` (paged). A failure is an error — never an empty list, which would
 * read as "member of nothing".
 */
export async function fetchGroups(graph: Client): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined = "/me/transitiveMemberOf?$select=id&$top=999";
  for (let page = 0; next; page++) {
    if (page >= MAX_PAGES) {
      throw new EntranceError(
        "groups_unavailable",
        `Microsoft Graph listed more than ${MAX_PAGES} pages of groups.`,
      );
    }
    let body: Page;
    try {
      body = (await graph.api(next).get()) as Page;
    } catch (error) {
      const known = findEntranceError(error);
      if (known?.code === "interaction_required" || known?.code === "reauthentication_required")
        throw known;
      throw new EntranceError(
        "groups_unavailable",
        "The user's groups could not be read from Microsoft Graph.",
        {
          cause: error,
        },
      );
    }
    if (!Array.isArray(body.value)) {
      throw new EntranceError(
        "groups_unavailable",
        "Microsoft Graph answered the group list without a value array.",
      );
    }
    for (const item of body.value) {
      if (item["@odata.type"] === "#microsoft.graph.group" && typeof item.id === "string")
        ids.push(item.id.toLowerCase());
    }
    next = body["@odata.nextLink"];
  }
  return ids;
}
