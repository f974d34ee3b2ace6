import { describe, expect, it } from "vitest";
import { openSqlStore, parseDatabaseUrl } from "../src/index.js";

describe("parseDatabaseUrl", () => {
  it("reads postgres:// and postgresql:// as PostgreSQL, keeping the URL whole", () => {
    for (const url of [
      "postgres://app:secret@db.internal:5432/entrance",
      "postgresql://app@127.0.0.1/entrance?sslmode=require",
      "POSTGRES://app@host/db",
    ]) {
      expect(parseDatabaseUrl(url)).toStrictEqual({ dialect: "postgres", connectionString: url });
    }
  });

  it("reads mysql:// and mariadb:// as MySQL or MariaDB, keeping the URL whole", () => {
    for (const url of [
      "mysql://app:secret@db.internal:3306/entrance",
      "mariadb://root@127.0.0.1/test",
      "MySQL://app@host/db",
    ]) {
      expect(parseDatabaseUrl(url)).toStrictEqual({ dialect: "mysql", connectionString: url });
    }
  });

  it.each([
    ["./data/entrance.db", "./data/entrance.db"],
    ["data/entrance.db", "data/entrance.db"],
    ["/var/lib/app/entrance.db", "/var/lib/app/entrance.db"],
    ["C:\\data\\entrance.db", "C:\\data\\entrance.db"],
    [":memory:", ":memory:"],
    ["file:///var/lib/app/entrance.db", "/var/lib/app/entrance.db"],
    ["file://localhost/var/lib/app/my%20db.db", "/var/lib/app/my db.db"],
    ["file:./data/entrance.db", "./data/entrance.db"],
    ["file::memory:", ":memory:"],
    ["sqlite:./data/entrance.db", "./data/entrance.db"],
    ["sqlite:///var/lib/app/entrance.db", "/var/lib/app/entrance.db"],
    ["sqlite://data/entrance.db", "data/entrance.db"],
    ["sqlite::memory:", ":memory:"],
  ])("reads %s as the SQLite file %s", (url, filename) => {
    expect(parseDatabaseUrl(url)).toStrictEqual({ dialect: "sqlite", filename });
  });

  it.each([
    ["", /is empty/],
    ["   ", /is empty/],
    [" ./data.db", /whitespace/],
    ["mongodb://root:hunter2@db/entrance", /unsupported scheme "mongodb:"/],
    ["mysql:db.internal/entrance", /must start with mysql:\/\//],
    ["redis://cache:6379", /unsupported scheme "redis:"/],
    ["https://example.com/db", /unsupported scheme "https:"/],
    ["postgres:db.internal/entrance", /must start with postgres:\/\//],
    ["sqlite:", /names no file/],
    ["sqlite:./x.db?mode=ro", /query parameters/],
    ["file:///x.db?mode=ro", /query parameters/],
    ["file://remote-host/share/x.db", /host other than localhost/],
  ])("refuses %j with an error that says why and lists the accepted forms", (url, why) => {
    expect(() => parseDatabaseUrl(url)).toThrow(why);
    expect(() => parseDatabaseUrl(url)).toThrow(/postgres:\/\/user:password@host/);
  });

  it("never repeats the URL, which may carry a password, in its error", () => {
    expect(() => parseDatabaseUrl("mongodb://root:hunter2@db/entrance")).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("hunter2") }),
    );
  });

  it("makes openSqlStore reject an unsupported URL before connecting anywhere", async () => {
    await expect(openSqlStore("mongodb://localhost/entrance")).rejects.toThrow(
      /unsupported scheme "mongodb:"/,
    );
  });
});
