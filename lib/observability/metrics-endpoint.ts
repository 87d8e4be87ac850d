import { createHash, timingSafeEqual } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";

import type { Logger } from "./logger.ts";
import { errorField } from "./logger.ts";
import { metricsText } from "./metrics.ts";

/**
 * Who may read /metrics: on Keyward's own port, only a scraper sending
 * `Authorization: Bearer $KEYWARD_METRICS_TOKEN` (without the variable the path does not exist);
 * on KEYWARD_METRICS_PORT, anyone who can reach its loopback address, or with the token when it
 * listens elsewhere. Not "loopback on the main port": behind a proxy on the same host every
 * request comes from 127.0.0.1.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer +(\S+) *$/i.exec(header ?? "")?.[1] ?? "";
  // Digests of both, so the comparison takes the same time whatever the length presented.
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(presented), digest(token)) && presented.length > 0;
}

export async function answerMetrics(res: ServerResponse, log: Logger): Promise<void> {
  try {
    const { contentType, body } = await metricsText();
    res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
    res.end(body);
  } catch (error) {
    log.error({ err: errorField(error) }, "metrics could not be collected");
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain", "cache-control": "no-store" });
    res.end("metrics could not be collected\n");
  }
}

export function refuseMetrics(res: ServerResponse, status: 401 | 404): void {
  res.writeHead(status, {
    "content-type": "text/plain",
    "cache-control": "no-store",
    ...(status === 401 ? { "www-authenticate": 'Bearer realm="keyward-metrics"' } : {}),
  });
  res.end(status === 401 ? "Send the metrics token as a bearer token.\n" : "Not found.\n");
}

/** The metrics port's server: GET /metrics and nothing else. */
export function metricsServer(options: { token: string | undefined; log: Logger }): http.Server {
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if ((req.method !== "GET" && req.method !== "HEAD") || path !== "/metrics")
      return refuseMetrics(res, 404);
    if (options.token && !bearerMatches(req.headers.authorization, options.token))
      return refuseMetrics(res, 401);
    void answerMetrics(res, options.log);
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return server;
}
