/**
 * The bearer token of an `Authorization` header (RFC 6750 §2.1), checked for shape before anything
 * is decoded: hostile headers are refused here, cheaply, without a parse that could throw.
 */

/** Authorization headers of this many characters or more are refused unread. */
const MAX_AUTHORIZATION_LENGTH = 8192;

/** Three base64url segments: a JWS in compact form (the signature not empty). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Why a header yields no token: none sent (or another scheme), a bad shape, or too long. */
export type HeaderProblem = "missing" | "malformed" | "too_large";

/**
 * The token of `Bearer <token>` (scheme in any letter case, one space or more), or why there is
 * none. Another scheme (Basic, Negotiate) counts as no bearer token; two tokens, a token that is
 * not a compact JWS, or a header of 8 KB or more is malformed.
 */
export function bearerTokenOf(header: string | null): string | HeaderProblem {
  if (header === null) return "missing";
  if (header.length >= MAX_AUTHORIZATION_LENGTH) return "too_large";
  const value = header.trim();
  const space = value.indexOf(" ");
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== "bearer") return "missing";
  if (space === -1) return "malformed";
  const token = value.slice(space + 1).trimStart();
  return JWT_SHAPE.test(token) ? token : "malformed";
}
