/** The API route every server of the bearer benchmark serves, answering the very same bytes. */

/** The path of the API route on every server. */
export const API_PATH = "/api/orders";

/** The delegated scope the route requires, as the app's API exposes it. */
export const API_SCOPE = "Orders.Read";

/** The route's answer for the caller with this object id (the bare server fixes it). */
export function renderOrders(objectId: string): string {
  return JSON.stringify({ orders: [], for: objectId });
}
