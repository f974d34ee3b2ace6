/**
 * The session-with-its-user read of a full store (`EntranceStore.signedIn`, through core's
 * `readSignedIn`, which falls back to `sessions.get` and `users.get` for a store without it): the
 * same records those two give, each user matched by both tenant and object id.
 */
import { randomUUID } from "node:crypto";
import { type EntranceStore, readSignedIn } from "@entrance/core";
import { expect, it } from "vitest";
import {
  type ConformanceContext,
  makeSession,
  makeUser,
  UNICODE_SAMPLES,
  unique,
} from "./context.js";

/** Defines the tests of reading a session with its user. */
export function signedInContract(ctx: ConformanceContext<EntranceStore>): void {
  it("an absent session reads as null", async () => {
    expect(await readSignedIn(ctx.store(), unique("absent"))).toBeNull();
  });

  it("a session reads with its user, every field as sessions.get and users.get give them", async () => {
    for (const user of [
      makeUser({ displayName: UNICODE_SAMPLES.join(" | ") }),
      makeUser({
        displayName: null,
        username: null,
        mail: null,
        roles: [],
        groups: [],
        groupsOverage: true,
        disabled: true,
        resolvedGroups: null,
        accountKind: "guest",
      }),
    ]) {
      const stored = await ctx.store().users.upsert(user);
      const session = makeSession({ tenantId: user.tenantId, objectId: user.objectId });
      await ctx.store().sessions.create(session);
      const read = await readSignedIn(ctx.store(), session.idHash);
      expect(read).toStrictEqual({ session, user: stored });
      expect(read?.session).toStrictEqual(await ctx.store().sessions.get(session.idHash));
      expect(read?.user).toStrictEqual(await ctx.store().users.get(user.tenantId, user.objectId));
    }
  });

  it("a session whose user is not stored reads with user null, whoever shares half its key", async () => {
    const session = makeSession();
    await ctx.store().sessions.create(session);
    // The same object id in another tenant, and another user of the same tenant: neither is it.
    await ctx
      .store()
      .users.upsert(makeUser({ tenantId: randomUUID(), objectId: session.objectId }));
    await ctx
      .store()
      .users.upsert(makeUser({ tenantId: session.tenantId, objectId: randomUUID() }));
    expect(await readSignedIn(ctx.store(), session.idHash)).toStrictEqual({ session, user: null });
  });

  it("reads what was last written: a disabled user, a touched session, a deleted one", async () => {
    const user = makeUser();
    await ctx.store().users.upsert(user);
    const session = makeSession({ tenantId: user.tenantId, objectId: user.objectId });
    await ctx.store().sessions.create(session);
    await ctx.store().users.setDisabled(user.tenantId, user.objectId, true);
    const lastSeenAt = new Date(session.lastSeenAt.getTime() + 60_000);
    const idleExpiresAt = new Date(session.idleExpiresAt.getTime() + 60_000);
    await ctx.store().sessions.touch(session.idHash, lastSeenAt, idleExpiresAt);
    expect(await readSignedIn(ctx.store(), session.idHash)).toStrictEqual({
      session: { ...session, lastSeenAt, idleExpiresAt },
      user: { ...user, disabled: true },
    });
    await ctx.store().sessions.delete(session.idHash);
    expect(await readSignedIn(ctx.store(), session.idHash)).toBeNull();
  });
}
