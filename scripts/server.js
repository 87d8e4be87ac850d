// The HTTP server behind `npm start`: Next.js behind the headers only this process may set, the
// security headers of every response, and the cross-site request check.
// Plain JavaScript so that it runs with `node` alone; it loads the OpenID provider's TypeScript from
// lib/ by Node's type stripping (ADR 0012). It also writes the access log and the HTTP metrics,
// serves /metrics, and shuts down gracefully (docs/observability.md).
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";

import next from "next";

import { stopChangeFeed } from "../lib/credentials/change-feed.ts";
import { flushLastUsed } from "../lib/credentials/last-used.ts";
import { closeDb } from "../lib/db/client.ts";
import { closeDpopReplay } from "../lib/dpop/replay.ts";
import { closeApiLimiter } from "../lib/limits/api-limits.ts";
import { settleBackgroundMail } from "../lib/mail/background-mail.ts";
import { startJobs, stopJobs } from "../lib/jobs/scheduler.ts";
import { keywardRouteTable } from "../lib/observability/app-routes.ts";
import { observeResponse } from "../lib/observability/http-observer.ts";
import { loggableUrl } from "../lib/observability/loggable-url.ts";
import { createLogger, errorField } from "../lib/observability/logger.ts";
import {
  answerMetrics,
  bearerMatches,
  metricsServer,
  refuseMetrics,
} from "../lib/observability/metrics-endpoint.ts";
import { metrics } from "../lib/observability/metrics.ts";
import { isLoopback, readServerObservability } from "../lib/observability/server-config.ts";
import { oidcTarget, serveOidc } from "../lib/oidc/mount.ts";
import { clientAddressResolver, protocolResolver } from "./client-address.js";
import {
  bodyTooLarge,
  contentSecurityPolicy,
  crossSiteRefusal,
  lengthRequired,
  malformedPath,
  MAX_BODY_BYTES,
  MAX_URL_LENGTH,
  problemBody,
  unsupportedMultipart,
} from "./request-guard.js";

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";

// LOG_LEVEL, the metrics port and token, the shutdown bounds: a malformed value stops the start.
let observability;
try {
  observability = readServerObservability(process.env);
} catch (error) {
  createLogger("info").fatal({ err: errorField(error) }, "configuration error");
  process.exit(1);
}
const log = createLogger(observability.logLevel);
// The registry is made here, by this process's own load of lib/, before Next's bundles count into it.
metrics();
const routes = keywardRouteTable();
const metricsToken = observability.metrics.token;

// Headers every response carries (OWASP secure headers), besides the per-request CSP. Framing is
// refused outright. HSTS only when Keyward is served over HTTPS.
const httpsOnly = (process.env.KEYWARD_URL ?? "").startsWith("https://");
const HSTS = ["strict-transport-security", "max-age=63072000; includeSubDomains"];
const SECURITY_HEADERS = [
  ["x-frame-options", "DENY"],
  ["x-content-type-options", "nosniff"],
  ["referrer-policy", "strict-origin-when-cross-origin"],
  ["cross-origin-opener-policy", "same-origin"],
  ["permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"],
];

// Both fail at start, with the variable's name, when KEYWARD_TRUSTED_PROXIES is malformed.
const trustedProxies = process.env.KEYWARD_TRUSTED_PROXIES;
const clientAddress = clientAddressResolver(trustedProxies);
const clientProtocol = protocolResolver(trustedProxies);
// The only origin that may change anything: KEYWARD_URL's (and, for a local install at localhost,
// the same address by number). Not the request's Host: with DNS rebinding, a page on another site
// can reach us under its own host name and pass as same-origin.
const publicUrl = new URL(process.env.KEYWARD_URL ?? `http://localhost:${port}`);
const ALLOWED_ORIGINS = new Set(
  publicUrl.hostname === "localhost"
    ? ["localhost", "127.0.0.1", "[::1]"].map(
        (name) => `${publicUrl.protocol}//${publicUrl.host.replace("localhost", name)}`,
      )
    : [publicUrl.origin],
);

const app = next({ dev, port, hostname: host === "0.0.0.0" ? "localhost" : host });
const handle = app.getRequestHandler();
await app.prepare();

// Shutdown state (see shutdown() below): draining from the signal on; the responses under way, so
// that the shutdown can tell them to close their connections and wait for them.
let draining = false;
const active = new Set();
let whenIdle = () => {};

const server = http.createServer((req, res) => {
  const requestId = randomUUID();
  active.add(res);
  observeResponse(req, res, {
    requestId,
    log,
    routes,
    onDone: () => {
      active.delete(res);
      if (draining && active.size === 0) whenIdle();
    },
  });
  // A client that keeps its connection would keep sending here while the balancer has moved on.
  if (draining) res.setHeader("connection", "close");
  const peer = req.socket.remoteAddress ?? "";
  // The client's address and scheme (the connection's, or what trusted proxies say) and the
  // original path are facts of this connection: drop anything a client sent.
  const forwardedFor = req.headers["x-forwarded-for"];
  const forwardedProto = req.headers["x-forwarded-proto"];
  const protocol = clientProtocol(
    peer,
    Array.isArray(forwardedProto) ? forwardedProto[0] : forwardedProto,
    "encrypted" in req.socket && req.socket.encrypted === true,
  );
  delete req.headers["x-keyward-peer"];
  delete req.headers["x-keyward-path"];
  if (!trustedProxies) delete req.headers["x-forwarded-host"];
  req.headers["x-forwarded-proto"] = protocol;
  req.headers["x-keyward-peer"] = clientAddress(
    peer,
    Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor,
  );
  req.headers["x-keyward-path"] = req.url ?? "/";
  req.headers["x-request-id"] = requestId;
  res.setHeader("x-request-id", requestId);
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
  if (httpsOnly || protocol === "https") res.setHeader(...HSTS);

  // Next.js takes the nonce from the request's CSP header and stamps it on every script it renders.
  const csp = contentSecurityPolicy(randomBytes(16).toString("base64"), { dev });
  req.headers["content-security-policy"] = csp;
  res.setHeader("content-security-policy", csp);

  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const refusal = crossSiteRefusal(
    { method: req.method ?? "GET", path, headers: req.headers },
    ALLOWED_ORIGINS,
  );
  if (refusal) {
    log.warn(
      {
        reqId: requestId,
        method: req.method,
        url: loggableUrl(path),
        origin: String(req.headers.origin ?? "-").slice(0, 200),
        allowed: [...ALLOWED_ORIGINS],
      },
      "refused a cross-site request: only KEYWARD_URL's origin may change anything (is KEYWARD_URL the address users reach?)",
    );
    return refuse(res, 403, problemBody("forbidden", refusal, requestId));
  }
  if ((req.url ?? "").length > MAX_URL_LENGTH) {
    const detail = `The URL is longer than ${MAX_URL_LENGTH} characters.`;
    return refuse(res, 414, problemBody("uri_too_long", detail, requestId));
  }
  if (unsupportedMultipart({ method: req.method ?? "GET", headers: req.headers })) {
    const detail =
      "Keyward's API takes JSON (its OAuth endpoints urlencoded forms), and its pages' forms need JavaScript.";
    return refuse(res, 415, problemBody("unsupported_media_type", detail, requestId));
  }
  if (malformedPath(path)) {
    return refuse(res, 400, problemBody("invalid", "The URL has a malformed percent-escape.", requestId));
  }
  if (lengthRequired(req.headers)) {
    const detail = `Send the request body with a Content-Length (at most ${MAX_BODY_BYTES} bytes).`;
    return refuse(res, 411, problemBody("length_required", detail, requestId));
  }
  if (bodyTooLarge(req.headers["content-length"])) {
    const detail = `The request body is larger than ${MAX_BODY_BYTES} bytes.`;
    return refuse(res, 413, problemBody("payload_too_large", detail, requestId));
  }
  if (path === "/metrics") {
    // Without the token configured there is no /metrics here; a scraper on the same host can use
    // KEYWARD_METRICS_PORT instead. Loopback is no proof here: a local proxy's requests come from it.
    if (!metricsToken || (req.method !== "GET" && req.method !== "HEAD")) return refuseMetrics(res, 404);
    if (!bearerMatches(req.headers.authorization, metricsToken)) return refuseMetrics(res, 401);
    return void answerMetrics(res, log);
  }
  if (draining && path === "/api/ready") {
    // From the signal on, the balancer is told to send no more: at once, not after Next's check.
    res.writeHead(503, {
      "content-type": "application/json",
      "cache-control": "no-store",
      connection: "close",
    });
    return void res.end(JSON.stringify({ status: "draining" }));
  }
  const oidc = oidcTarget(req.method ?? "GET", path);
  if (oidc) {
    // The provider builds its URLs (discovery, the logout form, returnTo) from the request: make
    // them KEYWARD_URL's, whatever Host the client sent (DNS rebinding, a proxy's internal name).
    req.headers.host = publicUrl.host;
    req.headers["x-forwarded-proto"] = publicUrl.protocol.replace(":", "");
    delete req.headers["x-forwarded-host"];
    return void serveOidc(oidc, req, res);
  }
  handle(req, res);
});
/** Answers at once; the unread body is discarded and the connection closed, not kept alive for it. */
function refuse(res, status, body) {
  res.writeHead(status, {
    "content-type": "application/problem+json",
    "cache-control": "no-store",
    connection: "close",
  });
  res.end(body);
}

server.requestTimeout = 30_000;
server.headersTimeout = 20_000;

// Background jobs (lib/jobs: the daily rollup, accepted risks coming back, the weekly digest, the
// failure alert) run in every instance and once across them. KEYWARD_JOBS=off leaves them out, for
// a server whose mail and data a test reads (a digest or alert would land among its messages).
const jobsOn = process.env.KEYWARD_JOBS !== "off";

server.listen(port, host, () => {
  log.info(
    { url: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`, host, port },
    `Keyward is ready at ${process.env.NEXTAUTH_URL ?? `http://localhost:${port}`} (listening on ${host}:${port})`,
  );
  if (jobsOn) startJobs();
});

// Metrics on a port of their own, for a scraper on this host (or, with the token, elsewhere).
const metricsListener =
  observability.metrics.port === undefined
    ? undefined
    : metricsServer({
        // On loopback the address is the protection (only this host); elsewhere, the token.
        token: isLoopback(observability.metrics.host) ? undefined : metricsToken,
        log,
      });
if (metricsListener) {
  metricsListener.on("error", (error) => {
    log.fatal({ err: errorField(error) }, "the metrics port could not be opened (KEYWARD_METRICS_PORT)");
    process.exit(1);
  });
  metricsListener.listen(observability.metrics.port, observability.metrics.host, () =>
    log.info(
      { host: observability.metrics.host, port: observability.metrics.port },
      "metrics at /metrics on their own port",
    ),
  );
}

/**
 * Exits once the log lines written so far are out: the logger writes asynchronously, and the
 * flush it would do at exit could put its last lines before one still being written.
 */
function exitFlushed(code) {
  setTimeout(() => process.exit(code), 1_000);
  log.flush(() => process.exit(code));
}

/** What the steps after the requests (jobs, batched writes, mail, connections) may take at most. */
const CLEANUP_MS = 5_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * SIGTERM/SIGINT: readiness answers 503 at once; after KEYWARD_SHUTDOWN_DRAIN_MS (a balancer's
 * health checks have seen it) the listener closes and idle connections with it; the requests under
 * way finish (their responses close their connections), for at most KEYWARD_SHUTDOWN_TIMEOUT_MS;
 * then the jobs stop, batched writes are written, mail settles, and the change feed, the Redis
 * clients and the database pool close. Each step is logged. Whatever happens, the process ends
 * within the drain, the timeout and CLEANUP_MS.
 */
function shutdown(signal) {
  if (draining) return log.info({ signal }, "shutdown: already under way");
  draining = true;
  const { drainMs, timeoutMs } = observability.shutdown;
  setTimeout(
    () => {
      log.error({ inFlight: active.size }, "shutdown: not finished in time, exiting anyway");
      exitFlushed(1);
    },
    drainMs + timeoutMs + CLEANUP_MS,
  ).unref();
  for (const res of active) if (!res.headersSent) res.setHeader("connection", "close");
  log.info(
    { signal, drainMs, timeoutMs, inFlight: active.size },
    "shutdown: draining, readiness answers 503",
  );
  const step = async (what, work) => {
    try {
      await work();
      log.info(`shutdown: ${what}`);
    } catch (error) {
      log.error({ err: errorField(error) }, `shutdown: ${what} failed`);
    }
  };
  void (async () => {
    if (drainMs > 0) await sleep(drainMs);
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    metricsListener?.close();
    // Made now, not at the signal: requests that came and went during the drain do not count.
    const idle = new Promise((resolve) => {
      whenIdle = resolve;
    });
    log.info({ inFlight: active.size }, "shutdown: no longer accepting connections");
    // No new tick, and the one under way finished, before the database goes.
    const jobs = stopJobs().then(
      () => undefined,
      (error) => error,
    );
    if (
      active.size > 0 &&
      (await Promise.race([idle.then(() => true), sleep(timeoutMs).then(() => false)])) === false
    ) {
      log.warn(
        { inFlight: active.size },
        "shutdown: requests still under way at KEYWARD_SHUTDOWN_TIMEOUT_MS, closing them",
      );
    } else {
      log.info("shutdown: requests finished");
    }
    // Keep-alive connections whose last response had its headers out before the signal.
    server.closeIdleConnections();
    await Promise.race([closed, sleep(1_000)]);
    server.closeAllConnections();
    await step("jobs stopped", async () => {
      const error = await jobs;
      if (error) throw error;
    });
    // What the last requests noted in memory (last use, per-permission use, sign-in counts) is
    // written in batches: write it now, or it is lost.
    await step("batched uses written", flushLastUsed);
    // Notices of changes that committed are still on their way to the mail server (each send has
    // its own timeouts; the exit above bounds them all).
    await step("background mail settled", settleBackgroundMail);
    await step("change feed and Redis clients closed", () =>
      Promise.all([stopChangeFeed(), closeApiLimiter(), closeDpopReplay()]),
    );
    await step("database pool closed", closeDb);
    log.info("shutdown: done");
    exitFlushed(0);
  })();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
