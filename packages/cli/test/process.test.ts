/**
 * The CLI as a user runs it: the committed bin (`npx entrance` links it) in a child process, in
 * the app's folder, with the app's environment — its output and its exit status, which CI reads.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatedApp, emulatedApp } from "./support/emulated-app.js";

const BIN = join(import.meta.dirname, "..", "bin", "entrance.js");
let app: EmulatedApp;

beforeAll(async () => {
  app = await emulatedApp();
});
afterAll(async () => {
  await app?.stop();
});

/** Runs the bin; resolves to its exit status and output whatever the status. */
async function entrance(args: string[], env: Record<string, string | undefined>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      cwd: app.dir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { status: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describe("the entrance bin", () => {
  it("migrate, then doctor --json: exit 0 and every check ok", async () => {
    const migrated = await entrance(["migrate"], app.env());
    expect(migrated.stderr).toBe("");
    expect(migrated.status).toBe(0);
    expect(migrated.stdout).toMatch(/applied 6 migration\(s\)/);

    const { status, stdout } = await entrance(["doctor", "--json", "--ca", app.caPath], app.env());
    const report = JSON.parse(stdout) as {
      ok: boolean;
      findings: { code: string; severity: string }[];
    };
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.ok).toBe(true);
    expect(status).toBe(0);
    expect(report.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(["authority_ok", "credential_works", "database_ok", "clock_ok"]),
    );
  });

  it("doctor exits 1 on an error, and prints the fix and the docs link", async () => {
    const { status, stdout } = await entrance(
      ["doctor", "--ca", app.caPath],
      app.env({ AZURE_CLIENT_SECRET: "expired-secret-value" }),
    );
    expect(status).toBe(1);
    expect(stdout).toMatch(
      /FAIL {2}token: Entra refused the app's credential: .*AADSTS7000215.*\[secret_invalid\]/,
    );
    expect(stdout).toContain("see: docs/doctor.md#secret_invalid");
    expect(stdout).toMatch(/1 error\(s\)/);
    expect(stdout).not.toContain("expired-secret-value");
  });

  it("exits 2 for a command it does not know, with the usage", async () => {
    const { status, stderr } = await entrance(["docter"], {});
    expect(status).toBe(2);
    expect(stderr).toContain('unknown command "docter"');
    expect(stderr).toContain("Usage: entrance <command>");
  });
});
