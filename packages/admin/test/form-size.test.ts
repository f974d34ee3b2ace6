/**
 * The panel reads a posted form only up to its bound, whatever the request says about its size.
 * The Next.js adapter's author found that a chunked body (no Content-Length) was read whole with
 * `request.text()` before its size was checked: a signed-in admin's browser, or anything holding a
 * session cookie, could make the server buffer as much as it sent.
 */
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fresh } from "../../core/test/support/emulated.js";
import { createAdmin } from "../src/index.js";
import { APP_BASE, browserSignedInAs } from "./support.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

const LEE = `/admin/users/${defaults.contoso}/${defaults.users.member}`;

/** A chunked form body of `total` bytes, counting how many bytes the server pulled from it. */
function countedBody(total: number) {
  const chunk = new TextEncoder().encode(`a=${"x".repeat(1022)}&`);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, sent: () => sent };
}

describe("a posted form's size", () => {
  it("stops reading a chunked body past the bound, and refuses the action", async () => {
    const { entrance, store } = fresh(emulator);
    const admin = createAdmin(entrance);
    const megan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
    await browserSignedInAs(emulator, entrance, "lee@contoso.onmicrosoft.com");
    const body = countedBody(8 * 1024 * 1024);
    const request = new Request(new URL(`${LEE}/end-sessions`, APP_BASE), {
      method: "POST",
      headers: {
        cookie: megan.header,
        origin: APP_BASE,
        "sec-fetch-site": "same-origin",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: body.stream,
      duplex: "half",
    } as RequestInit);
    expect(request.headers.get("content-length")).toBeNull();
    const response = await admin.handle(request, { ip: "203.0.113.7" });
    expect(response.status).toBe(403);
    // The panel's forms are under 8 KiB: it read a little past that, not the 8 MiB sent.
    expect(body.sent()).toBeLessThan(64 * 1024);
    expect(await store.sessions.listByUser(defaults.contoso, defaults.users.member)).toHaveLength(
      1,
    );
  });
});
