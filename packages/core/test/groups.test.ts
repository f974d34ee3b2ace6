import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signedInAs } from "./support/emulated.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(() => {
  emulator.control.clearFaults();
});

const ADELE = { tenantId: defaults.contoso, objectId: defaults.users.overage };
const ENGINEERING = "8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e";
const PROJECT_7 = "project-7";

function options(extra = {}) {
  return { graphBaseUrl: emulator.urls.https, ...extra };
}

describe("groups of a user with group overage", () => {
  it("are resolved through Graph (paged), kept in the store, and not asked again while fresh", async () => {
    const { entrance, store } = await signedInAs(
      emulator,
      "adele@contoso.onmicrosoft.com",
      options(),
    );
    const user = await store.users.get(ADELE.tenantId, ADELE.objectId);
    if (!user) throw new Error("no user");
    expect(user.groupsOverage).toBe(true);
    expect(user.groups).toEqual([]);
    emulator.control.resetCounts();
    const groups = await entrance.groupsOf(user);
    expect(groups).toHaveLength(251);
    expect(new Set(groups).size).toBe(251);
    expect(emulator.control.counts().graph).toBe(1);
    const stored = await store.users.get(ADELE.tenantId, ADELE.objectId);
    expect(stored?.resolvedGroups?.ids).toHaveLength(251);
    emulator.control.resetCounts();
    await entrance.groupsOf(stored ?? user);
    expect(emulator.control.counts().graph).toBeUndefined();
  });

  it("fail clearly when Graph fails, and no empty list is cached", async () => {
    const { entrance, store } = await signedInAs(
      emulator,
      "adele@contoso.onmicrosoft.com",
      options(),
    );
    const user = await store.users.get(ADELE.tenantId, ADELE.objectId);
    if (!user) throw new Error("no user");
    emulator.control.queueFault("graph", {
      kind: "status",
      status: 403,
      body: { error: { code: "Authorization_RequestDenied", message: "no" } },
    });
    await expect(entrance.groupsOf(user)).rejects.toMatchObject({ code: "groups_unavailable" });
    expect((await store.users.get(ADELE.tenantId, ADELE.objectId))?.resolvedGroups).toBeNull();
    await expect(entrance.authorize(user, { groups: [ENGINEERING] })).resolves.toMatchObject({
      allowed: false,
    });
  });

  it("grant groups and permissions through names and ids", async () => {
    const groupIds = emulator.control.directory().tenants[0]?.groups ?? [];
    const project = groupIds.find((g) => g.displayName === "Project 007")?.id ?? "";
    const { entrance, store } = await signedInAs(
      emulator,
      "adele@contoso.onmicrosoft.com",
      options({
        authorization: {
          groups: { Engineering: ENGINEERING, [PROJECT_7]: project },
          permissions: {
            "projects.read": { groups: [PROJECT_7] },
            "admin.use": { roles: ["Entrance.Admin"] },
          },
        },
      }),
    );
    const user = await store.users.get(ADELE.tenantId, ADELE.objectId);
    if (!user) throw new Error("no user");
    expect(entrance.permissionsOf(user)).toEqual([]);
    await expect(entrance.authorize(user, { groups: [PROJECT_7] })).resolves.toEqual({
      allowed: true,
    });
    await expect(entrance.authorize(user, { groups: ["Engineering"] })).resolves.toEqual({
      allowed: false,
      missing: { roles: [], groups: ["Engineering"], permissions: [] },
    });
    await expect(entrance.authorize(user, { permissions: ["projects.read"] })).resolves.toEqual({
      allowed: true,
    });
    const resolved = await store.users.get(ADELE.tenantId, ADELE.objectId);
    expect(entrance.permissionsOf(resolved ?? user)).toEqual(["projects.read"]);
    expect(() => entrance.checkRequirement({ groups: ["Nope"] })).toThrow(/Group "Nope"/);
  });
});
