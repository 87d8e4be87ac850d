// The HTTP server behind `npm start`: Next.js with two headers that only this process may set.
// Plain JavaScript so that it runs with `node` alone.
import { randomUUID } from "node:crypto";
import http from "node:http";

import next from "next";

import { clientAddressResolver } from "./client-address.js";

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";

// Headers every response carries (OWASP secure headers). Framing is refused outright. Scripts are
// not restricted yet: a nonce-based script-src needs every script Next renders to carry the nonce.
// HSTS only when Keyward is served over HTTPS.
const httpsOnly = (process.env.KEYWARD_URL ?? "").startsWith("https://");
const SECURITY_HEADERS = [
  [
    "content-security-policy",
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
  ],
  ["x-frame-options", "DENY"],
  ["x-content-type-options", "nosniff"],
  ["referrer-policy", "strict-origin-when-cross-origin"],
  ["cross-origin-opener-policy", "same-origin"],
  ["permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"],
  ...(httpsOnly ? [["strict-transport-security", "max-age=63072000; includeSubDomains"]] : []),
];

// Fails at start, with the variable's name, when KEYWARD_TRUSTED_PROXIES is malformed.
const clientAddress = clientAddressResolver(process.env.KEYWARD_TRUSTED_PROXIES);

const app = next({ dev, port, hostname: host === "0.0.0.0" ? "localhost" : host });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  // The client's address (the TCP peer, or what trusted proxies say) and the original path are
  // facts of this connection: drop anything a client sent.
  const forwardedFor = req.headers["x-forwarded-for"];
  delete req.headers["x-keyward-peer"];
  delete req.headers["x-keyward-path"];
  req.headers["x-keyward-peer"] = clientAddress(
    req.socket.remoteAddress ?? "",
    Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor,
  );
  req.headers["x-keyward-path"] = req.url ?? "/";
  const requestId = randomUUID();
  req.headers["x-request-id"] = requestId;
  res.setHeader("x-request-id", requestId);
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
  handle(req, res);
});
server.requestTimeout = 30_000;
server.headersTimeout = 20_000;

server.listen(port, host, () => {
  console.log(
    `Keyward is ready at ${process.env.NEXTAUTH_URL ?? `http://localhost:${port}`} (listening on ${host}:${port})`,
  );
});

function shutdown() {
  server.close(() => process.exit(0));
  // Open keep-alive connections must not hold the process forever.
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
