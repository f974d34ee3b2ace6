import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DirectoryConfigError,
  defaultDirectory,
  loadDirectoryFile,
  parseDirectory,
} from "../src/index.js";

describe("directory configuration", () => {
  it("accepts the built-in directory and fills defaults", () => {
    const directory = parseDirectory(defaultDirectory);
    const contoso = directory.tenants[0];
    expect(contoso?.users.length).toBeGreaterThanOrEqual(4);
    expect(contoso?.apps[0]?.grantedScopes).toContain("User.Read");
    const adele = contoso?.users.find((u) => u.userPrincipalName.startsWith("adele"));
    expect(adele?.groups.length).toBeGreaterThan(200);
  });

  it("names every wrong field and why", () => {
    const bad = {
      tenants: [
        {
          id: "1e1e1e1e-1e1e-4e1e-8e1e-1e1e1e1e1e1e",
          domain: "Bad Domain",
          displayName: "Bad",
          apps: [
            {
              clientId: "2e2e2e2e-2e2e-4e2e-8e2e-2e2e2e2e2e2e",
              displayName: "App",
              redirectUris: ["not a url"],
            },
          ],
          users: [
            {
              id: "3e3e3e3e-3e3e-4e3e-8e3e-3e3e3e3e3e3e",
              userPrincipalName: "a@b.c",
              displayName: "A",
              groups: ["4e4e4e4e-4e4e-4e4e-8e4e-4e4e4e4e4e4e"],
              appRoles: { "2e2e2e2e-2e2e-4e2e-8e2e-2e2e2e2e2e2e": ["Missing.Role"] },
            },
          ],
        },
      ],
    };
    let error: unknown;
    try {
      parseDirectory(bad, "bad.json");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DirectoryConfigError);
    const message = (error as Error).message;
    expect(message).toContain("bad.json is not a valid emulator directory");
    expect(message).toContain("tenants[0].domain: must be a lower-case domain");
    expect(message).toContain("tenants[0].apps[0].redirectUris[0]: must be an absolute URL");
  });

  it("checks references once the shapes are right", () => {
    const dangling = {
      tenants: [
        {
          id: "1e1e1e1e-1e1e-4e1e-8e1e-1e1e1e1e1e1e",
          domain: "x.onmicrosoft.com",
          displayName: "X",
          apps: [{ clientId: "2e2e2e2e-2e2e-4e2e-8e2e-2e2e2e2e2e2e", displayName: "App" }],
          users: [
            {
              id: "3e3e3e3e-3e3e-4e3e-8e3e-3e3e3e3e3e3e",
              userPrincipalName: "a@x.onmicrosoft.com",
              displayName: "A",
              groups: ["4e4e4e4e-4e4e-4e4e-8e4e-4e4e4e4e4e4e"],
              appRoles: { "2e2e2e2e-2e2e-4e2e-8e2e-2e2e2e2e2e2e": ["Missing.Role"] },
            },
          ],
        },
      ],
    };
    expect(() => parseDirectory(dangling)).toThrow(
      /groups\[0\]: group 4e4e4e4e-.* is not defined in tenant x.onmicrosoft.com/,
    );
    expect(() => parseDirectory(dangling)).toThrow(/defines no app role "Missing.Role"/);
  });

  it("keeps user roles for users and application permissions for applications", () => {
    const api = "2e2e2e2e-2e2e-4e2e-8e2e-2e2e2e2e2e2e";
    const mixedUp = {
      tenants: [
        {
          id: "1e1e1e1e-1e1e-4e1e-8e1e-1e1e1e1e1e1e",
          domain: "x.onmicrosoft.com",
          displayName: "X",
          apps: [
            {
              clientId: api,
              displayName: "API",
              appRoles: [
                { id: "5e5e5e5e-5e5e-4e5e-8e5e-5e5e5e5e5e5e", value: "Human", displayName: "H" },
                {
                  id: "6e6e6e6e-6e6e-4e6e-8e6e-6e6e6e6e6e6e",
                  value: "Machine",
                  displayName: "M",
                  allowedMemberTypes: ["Application"],
                },
              ],
            },
            {
              clientId: "7e7e7e7e-7e7e-4e7e-8e7e-7e7e7e7e7e7e",
              displayName: "Daemon",
              applicationPermissions: {
                [api]: ["Human"],
                "00000003-0000-0000-c000-000000000000": ["Launch.Missiles"],
              },
            },
          ],
          users: [
            {
              id: "3e3e3e3e-3e3e-4e3e-8e3e-3e3e3e3e3e3e",
              userPrincipalName: "a@x.onmicrosoft.com",
              displayName: "A",
              appRoles: { [api]: ["Machine"] },
            },
          ],
        },
      ],
    };
    const problems = () => parseDirectory(mixedUp);
    expect(problems).toThrow(
      /apps\[1\]\.applicationPermissions\.2e2e.*"Human" of API is not for applications/,
    );
    expect(problems).toThrow(/Microsoft Graph has no application permission "Launch.Missiles"/);
    expect(problems).toThrow(/users\[0\]\.appRoles\.2e2e.*"Machine" of API is not for users/);
  });

  it("reports a file that is not JSON", async () => {
    const folder = await mkdtemp(join(tmpdir(), "entrance-config-"));
    const file = join(folder, "directory.json");
    await writeFile(file, "{ tenants: ");
    await expect(loadDirectoryFile(file)).rejects.toThrow(
      /directory.json is not a valid emulator directory:\n {2}- is not JSON/,
    );
  });
});
