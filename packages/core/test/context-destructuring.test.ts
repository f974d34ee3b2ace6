/**
 * A context's methods survive destructuring, as code for frameworks with a server-side `auth()`
 * is written: `const { user, loginUrl, getAccessToken, graph } = await auth()`. Methods on a class
 * lose `this` when taken off it; the Next.js adapter's author wrapped every context in a Proxy to
 * get this, which belongs in core so that every adapter's context behaves the same.
 */
import { type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_BASE, signedInAs } from "./support/emulated.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

describe("a destructured context", () => {
  it("signs in, gets tokens and fills template locals with methods taken off it", async () => {
    const { entrance, jar } = await signedInAs(emulator, "megan@contoso.onmicrosoft.com");
    const request = new Request(`${APP_BASE}/orders?page=2`, { headers: { cookie: jar.header } });
    const { user, loginUrl, loginUrlFor, getAccessToken, assignLocals, downstream } =
      await entrance.context(request);
    expect(user?.displayName).toBe("Megan Bowen");
    // The sign-in link returns to the request it was made for.
    expect(new URL(loginUrl(), APP_BASE).searchParams.get("returnTo")).toBe("/orders?page=2");
    expect(new URL(loginUrlFor({ scopes: ["User.Read"] }), APP_BASE).pathname).toBe("/auth/login");
    const token = await getAccessToken("User.Read");
    expect(token.token.split(".")).toHaveLength(3);
    const locals: Record<string, unknown> = {};
    assignLocals(locals);
    expect(locals.user).toBe(user);
    expect(typeof locals.loginUrl).toBe("string");
    // Templates are rendered from a copy (Express spreads res.locals, @fastify/view assigns it):
    // every link must be an own enumerable property, or the copy leaves it out.
    const copy = { ...locals };
    expect(copy.signUpUrl).toBe(copy.loginUrl);
    expect(copy).toMatchObject({ logoutUrl: "/auth/logout", profileUrl: null });
    // Given locals again (two cores on one app), the links are replaced, not an error.
    assignLocals(locals);
    expect(locals.profileUrl).toBeNull();
    expect({ ...locals }.signUpUrl).toBe(copy.loginUrl);
    // An unknown API name is refused with core's error, not a TypeError about `this`.
    expect(() => downstream("nope")).toThrow(expect.objectContaining({ code: expect.any(String) }));
  });

  it("gives each page its own links in template locals, however often pages repeat", async () => {
    const { entrance, jar } = await signedInAs(emulator, "megan@contoso.onmicrosoft.com");
    const returnToOf = async (path: string) => {
      const request = new Request(`${APP_BASE}${path}`, { headers: { cookie: jar.header } });
      const locals: Record<string, unknown> = {};
      (await entrance.context(request)).assignLocals(locals);
      return new URL(String(locals.loginUrl), APP_BASE).searchParams.get("returnTo");
    };
    for (const path of ["/a", "/b", "/a", "/b?x=1", "/b", `/${"long".repeat(200)}`, "/a"]) {
      expect(await returnToOf(path), path).toBe(path);
    }
  });

  it("refuses a token to a signed-out request with core's error, not a TypeError", async () => {
    const { entrance } = await signedInAs(emulator, "megan@contoso.onmicrosoft.com");
    const { getAccessToken, getAccessTokenOnBehalfOf } = await entrance.context(
      new Request(`${APP_BASE}/`),
    );
    await expect(getAccessToken("User.Read")).rejects.toMatchObject({
      code: "reauthentication_required",
    });
    await expect(getAccessTokenOnBehalfOf("User.Read")).rejects.toMatchObject({
      code: "on_behalf_of_needs_user",
    });
  });
});
