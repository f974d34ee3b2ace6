import type { NextRequest } from "next/server";
import { proxy as signedInOnly } from "./lib/entrance";

/** Signed-out visits to the paths below go to sign in and come back. */
export function proxy(request: NextRequest) {
  return signedInOnly(request);
}

export const config = { matcher: ["/profile"] };
