import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { signInWithoutBrowser } from "@entrance/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTokens } from "../../../scripts/token-scan.mjs";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

describe("the scan that npm test runs over everything the suite logged", () => {
  it("recognises the emulator's real access, ID and refresh tokens", async () => {
    const tokens = await signInWithoutBrowser(emulator, { user: "lee@contoso.onmicrosoft.com" });
    const log = `info: signed in\naccess=${tokens.accessToken}\nid ${tokens.idToken}\n{"rt":"${tokens.refreshToken}"}\n`;
    const found = findTokens(log);
    expect(found.map((f) => f.kind)).toEqual(["JWT", "JWT", "refresh token or code"]);
    expect(found.map((f) => f.line)).toEqual([2, 3, 4]);
    expect(JSON.stringify(found)).not.toContain(tokens.accessToken.slice(0, 30));
  });

  it("leaves ordinary log lines, ids and hashes alone", () => {
    const log = [
      `user ${defaults.users.admin} signed in to tenant ${defaults.contoso}`,
      "session hash 3q2-7wEjZc7aW8s0X2Zk1yQkq8m6m3x4v9b1n2c3d4e",
      "version 1.2.3, took 1.5 s",
    ].join("\n");
    expect(findTokens(log)).toEqual([]);
  });
});
