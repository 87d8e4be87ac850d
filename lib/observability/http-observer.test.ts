import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";

import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";

import { observeResponse } from "./http-observer.ts";
import { routeTable } from "./route-label.ts";

type Line = { level: number; route: string; status: number; aborted?: boolean };

/** A real HTTP server whose every request goes through observeResponse, logging into `lines`. */
async function observedServer(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  const log = pino({ level: "debug" }, sink);
  const routes = routeTable(["/api/ready", "/api/health", "/api/v1/me"]);
  let n = 0;
  const server = http.createServer((req, res) => {
    observeResponse(req, res, { requestId: `req-${n++}`, log, routes });
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { lines, base, close: () => new Promise((resolve) => server.close(resolve)) };
}

let close: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const DEBUG = 20;
const INFO = 30;
const WARN = 40;

describe("the access log's levels", () => {
  it("a balancer's successful health checks are debug lines; a failing one and other requests are not", async () => {
    let status = 200;
    const server = await observedServer((_req, res) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end("{}");
    });
    close = server.close;
    await (await fetch(`${server.base}/api/ready`)).text();
    await (await fetch(`${server.base}/api/health`)).text();
    await (await fetch(`${server.base}/api/v1/me`)).text();
    status = 503;
    await (await fetch(`${server.base}/api/ready`)).text();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.lines.map(({ route, status: s, level }) => [route, s, level])).toEqual([
      ["/api/ready", 200, DEBUG],
      ["/api/health", 200, DEBUG],
      ["/api/v1/me", 200, INFO],
      ["/api/ready", 503, WARN],
    ]);
    // The client read the whole answer, then closed: nothing was aborted.
    expect(server.lines.some((line) => line.aborted)).toBe(false);
  });

  it("a client that leaves before the answer is logged as aborted (499)", async () => {
    const server = await observedServer(() => {
      // never answers
    });
    close = server.close;
    const controller = new AbortController();
    const asked = fetch(`${server.base}/api/v1/me`, { signal: controller.signal }).catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await asked;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.lines).toMatchObject([{ route: "/api/v1/me", status: 499, aborted: true, level: INFO }]);
  });
});
