/**
 * `addHeadersOnWriteHead`: the headers Entrance adds to a response reach the wire whichever way
 * the app writes its head, and the app's own of the same name win. Over real HTTP.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addHeadersOnWriteHead } from "../src/index.js";

const ADDED = Object.freeze({ "cache-control": "no-store", "x-entrance": "on" });
const shared = Object.freeze({ "content-type": "text/plain" });
const writers: Record<string, (res: ServerResponse) => void> = {
  "/object": (res) => res.writeHead(200, { "Content-Type": "text/plain" }).end("object"),
  "/reason": (res) => res.writeHead(201, "Made", { "content-type": "text/plain" }).end("reason"),
  "/theirs": (res) => res.writeHead(200, { "Cache-Control": "max-age=60" }).end("theirs"),
  "/set-before": (res) => {
    res.setHeader("cache-control", "private");
    res.writeHead(200, { "content-type": "text/plain" }).end("set");
  },
  "/bare": (res) => res.writeHead(204).end(),
  "/list": (res) =>
    res.writeHead(200, ["Content-Type", "text/plain", "X-Entrance", "theirs"]).end(),
  "/pairs": (res) => res.writeHead(200, [["content-type", "text/plain"]] as never).end("pairs"),
  "/old-name": (res) =>
    (res as unknown as { writeHeader: ServerResponse["writeHead"] })
      .writeHeader(200, { "content-type": "text/plain" })
      .end("old"),
  "/implicit": (res) => res.end("implicit"),
  "/shared": (res) => res.writeHead(200, shared).end("shared"),
};

let base: string;
const server = createServer((req, res) => {
  addHeadersOnWriteHead(res, ADDED);
  const write = writers[req.url ?? ""];
  if (write) write(res);
  else res.writeHead(404).end();
});

beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

const head = async (path: string) => {
  const res = await fetch(`${base}${path}`);
  await res.arrayBuffer();
  return {
    status: res.status,
    reason: res.statusText,
    cache: res.headers.get("cache-control"),
    mark: res.headers.get("x-entrance"),
    type: res.headers.get("content-type"),
  };
};

describe("addHeadersOnWriteHead", () => {
  it("adds its headers to a head given as an object, beside the app's", async () => {
    expect(await head("/object")).toMatchObject({
      cache: "no-store",
      mark: "on",
      type: "text/plain",
    });
    expect(await head("/reason")).toMatchObject({ status: 201, reason: "Made", cache: "no-store" });
  });

  it("leaves the app's own header of the same name, in any case or set beforehand", async () => {
    expect(await head("/theirs")).toMatchObject({ cache: "max-age=60", mark: "on" });
    expect(await head("/set-before")).toMatchObject({ cache: "private", mark: "on" });
    expect(await head("/list")).toMatchObject({ cache: "no-store", mark: "theirs" });
  });

  it("adds them to a head given as a list of pairs, or through writeHead's older name", async () => {
    // Both failed when a review tried them: a list of pairs threw (Node cannot merge it with
    // headers set beforehand), and writeHeader went around the wrapper.
    expect(await head("/pairs")).toMatchObject({
      status: 200,
      cache: "no-store",
      type: "text/plain",
    });
    expect(await head("/old-name")).toMatchObject({ cache: "no-store", mark: "on" });
  });

  it("adds them when the head carries no headers or is written implicitly", async () => {
    expect(await head("/bare")).toMatchObject({ status: 204, cache: "no-store", mark: "on" });
    expect(await head("/implicit")).toMatchObject({ status: 200, cache: "no-store", mark: "on" });
  });

  it("does not change the object the app passed", async () => {
    expect(await head("/shared")).toMatchObject({ cache: "no-store" });
    expect(shared).toEqual({ "content-type": "text/plain" });
  });
});
