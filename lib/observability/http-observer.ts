import type { IncomingMessage, ServerResponse } from "node:http";

import type { Logger } from "./logger.ts";
import { loggableUrl } from "./loggable-url.ts";
import { metrics, observeHttpRequest } from "./metrics.ts";
import { takePrincipal } from "./request-principal.ts";
import { routeLabel, type RouteTable } from "./route-label.ts";

/** The status recorded for a request whose client went away before any response was sent (nginx's). */
export const CLIENT_CLOSED = 499;

/**
 * One access-log line and the HTTP metrics of a request, when its response has ended or its
 * connection closed first (an aborted request is counted too). The work per request: a clock read,
 * a route match, a map lookup, three metric updates and one log line.
 */
export function observeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  options: { requestId: string; log: Logger; routes: RouteTable; onDone?: () => void },
): void {
  const started = performance.now();
  const url = req.url ?? "/";
  const method = req.method ?? "GET";
  metrics().httpInFlight.inc();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    metrics().httpInFlight.dec();
    const durationMs = performance.now() - started;
    // Aborted: the client left before the response was complete. Not "not yet flushed": a health
    // checker that closes as soon as it has read the answer did not abort anything.
    const aborted = !res.writableEnded;
    const status = res.headersSent ? res.statusCode : CLIENT_CLOSED;
    const mark = url.indexOf("?");
    const route = routeLabel(options.routes, mark === -1 ? url : url.slice(0, mark));
    observeHttpRequest({ method, route, status, seconds: durationMs / 1000, aborted });
    const principal = takePrincipal(options.requestId);
    const line = {
      reqId: options.requestId,
      method,
      route,
      url: loggableUrl(url),
      status,
      durationMs: Math.round(durationMs * 10) / 10,
      ip: req.headers["x-keyward-peer"],
      ...(principal ? { principal } : {}),
      ...(aborted ? { aborted: true } : {}),
    };
    if (status >= 500) options.log.warn(line, "request");
    // A balancer asks every second: its successful health checks are debug lines, not the log.
    else if (status < 400 && HEALTH_ROUTES.has(route)) options.log.debug(line, "request");
    else options.log.info(line, "request");
    options.onDone?.();
  };
  res.once("finish", finish);
  res.once("close", finish);
}

const HEALTH_ROUTES: ReadonlySet<string> = new Set(["/api/health", "/api/ready"]);
