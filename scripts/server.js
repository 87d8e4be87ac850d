// The HTTP server behind `npm start`: Next.js behind the headers only this process may set, the
// security headers of every response, and the cross-site request check.
// Plain JavaScript so that it runs with `node` alone; it loads the OpenID provider's TypeScript from
// lib/ by Node's type stripping (ADR 0012).
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";

import next from "next";

import { flushLastUsed } from "../lib/credentials/last-used.ts";
import { settleBackgroundMail } from "../lib/mail/background-mail.ts";
import { safeErrorText } from "../lib/jobs/log.ts";
import { startJobs, stopJobs } from "../lib/jobs/scheduler.ts";
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

const server = http.createServer((req, res) => {
  const requestId = randomUUID();
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
    console.warn(
      `[${requestId}] refused a cross-site ${req.method} ${path} (origin ${req.headers.origin ?? "-"}; ` +
        `only ${[...ALLOWED_ORIGINS].join(", ")} may change anything: is KEYWARD_URL the address users reach?)`,
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
  console.log(
    `Keyward is ready at ${process.env.NEXTAUTH_URL ?? `http://localhost:${port}`} (listening on ${host}:${port})`,
  );
  if (jobsOn) startJobs();
});

let closing = false;
function shutdown() {
  if (closing) return;
  closing = true;
  // Whatever happens below, the process ends: nothing may hold it forever.
  setTimeout(() => process.exit(0), 10_000).unref();
  const closed = new Promise((resolve) => server.close(resolve));
  // Open keep-alive connections must not hold the close up for more than 5 seconds.
  const patience = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
  void (async () => {
    // No new tick, and the one under way finished, before the database goes.
    await stopJobs().catch((error) => console.error(`[shutdown] ${safeErrorText(error)}`));
    await Promise.race([closed, patience]);
    // What the last requests noted in memory (last use, per-permission use, sign-in counts) is
    // written in batches: write it now, or it is lost.
    await flushLastUsed().catch((error) =>
      console.error(`[shutdown] batched uses were not written: ${safeErrorText(error)}`),
    );
    // Notices of changes that committed are still on their way to the mail server (bounded by the
    // 10-second exit above; each send has its own timeouts).
    await settleBackgroundMail();
    process.exit(0);
  })();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
