import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_INSTALL_HINT, describeWithChromium, launchChromium } from "./support/browser.js";
import { decideRequirement, requireAllEnabled } from "./support/require.js";

describe("component requirement rule", () => {
  it("runs when the component is available, whatever ENTRANCE_REQUIRE_ALL says", () => {
    expect(decideRequirement("X", true, "apt-get install x", {})).toEqual({ action: "run" });
    expect(
      decideRequirement("X", true, "apt-get install x", { ENTRANCE_REQUIRE_ALL: "1" }),
    ).toEqual({ action: "run" });
  });

  it("skips a missing component locally, naming the install command", () => {
    const decision = decideRequirement("Chromium", false, CHROMIUM_INSTALL_HINT, {});
    expect(decision.action).toBe("skip");
    expect(decision).toHaveProperty("reason", expect.stringContaining("apt-get install chromium"));
  });

  it("fails a missing component when ENTRANCE_REQUIRE_ALL=1, naming the install command", () => {
    const decision = decideRequirement("Chromium", false, CHROMIUM_INSTALL_HINT, {
      ENTRANCE_REQUIRE_ALL: "1",
    });
    expect(decision.action).toBe("fail");
    expect(decision).toHaveProperty("reason", expect.stringContaining("apt-get install chromium"));
    expect(decision).toHaveProperty("reason", expect.stringContaining("ENTRANCE_REQUIRE_ALL=1"));
  });

  it("treats only the exact value 1 as requiring everything", () => {
    expect(requireAllEnabled({ ENTRANCE_REQUIRE_ALL: "1" })).toBe(true);
    for (const value of [undefined, "", "0", "true", "yes"]) {
      expect(requireAllEnabled({ ENTRANCE_REQUIRE_ALL: value })).toBe(false);
      expect(decideRequirement("X", false, "hint", { ENTRANCE_REQUIRE_ALL: value }).action).toBe(
        "skip",
      );
    }
  });
});

describeWithChromium("Chromium smoke test", () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let url = "";

  beforeAll(async () => {
    const srv = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><title>Entrance smoke</title><p>hello</p>");
    });
    server = srv;
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", resolve);
    });
    const { port } = srv.address() as AddressInfo;
    url = `http://127.0.0.1:${port}/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    const srv = server;
    if (srv !== undefined) {
      // Chromium may leave a keep-alive connection open; drop it so close() resolves now.
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });

  it("loads a page from a local server and reads its title", async () => {
    if (browser === undefined) throw new Error("browser was not launched");
    const page = await browser.newPage();
    try {
      const response = await page.goto(url);
      expect(response?.status()).toBe(200);
      expect(await page.title()).toBe("Entrance smoke");
    } finally {
      await page.close();
    }
  });
});
