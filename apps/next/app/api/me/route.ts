import { requireAuth } from "../../../lib/entrance";

/** The signed-in user as JSON; 401 JSON for an API call without a session. */
export const GET = requireAuth(async (_request, _context, { user }) => Response.json(user));
