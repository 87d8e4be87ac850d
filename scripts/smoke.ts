// The zero-configuration path, checked as a newcomer would use it, over HTTP only: a fresh data
// folder, `npm start` with no DATABASE_URL, first-run setup with the code from the log, sign-in;
// API credentials (a token, a client and its access token); then a restart, and the same account
// still signs in and the same credentials still work (the data and keys survived). Used by .ci/run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { freePort } from "../lib/db/embedded.ts";
import { isAnswering, startServer, waitForReady, type ServerProcess } from "./lib/server-process.ts";

const jar = new Map<string, string>();
let baseUrl = "";

async function request(pathname: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
  const response = await fetch(new URL(pathname, baseUrl), { ...init, headers, redirect: "manual" });
  for (const cookie of response.headers.getSetCookie()) {
    const [pair = ""] = cookie.split(";");
    const [name = "", ...value] = pair.split("=");
    jar.set(name.trim(), value.join("="));
  }
  return response;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
  console.log(`ok - ${message}`);
}

async function signIn(email: string, password: string): Promise<void> {
  jar.clear();
  const step = await request("/api/auth/sign-in/password", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  check(step.status === 200, `password step accepted (${step.status})`);
  const { csrfToken } = (await (await request("/api/auth/csrf")).json()) as { csrfToken: string };
  const callback = await request("/api/auth/callback/attempt", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, json: "true" }),
  });
  check(callback.status === 200, `session issued (${callback.status})`);
  const me = await request("/api/v1/me");
  const body = (await me.json()) as { email?: string };
  check(me.status === 200 && body.email === email, `GET /api/v1/me answers as ${email}`);
}

async function basics(): Promise<void> {
  jar.clear();
  check((await request("/api/health")).status === 200, "GET /api/health is 200");
  check((await request("/api/ready")).status === 200, "GET /api/ready is 200");
  check((await request("/api/v1/me")).status === 401, "a signed-out API call is 401");
}

type Credentials = { token: string; clientId: string; clientSecret: string };

/** API credentials on the embedded database: a personal token, a client and its access token. */
async function credentials(): Promise<Credentials> {
  const json = { "content-type": "application/json" };
  const minted = await request("/api/v1/tokens", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ name: "smoke", scopes: ["users.read"], expiration: "7" }),
  });
  const { token } = (await minted.json()) as { token: string };
  check(
    minted.status === 201 && token.startsWith("kw_pat_"),
    `a personal token was minted (${minted.status})`,
  );
  const client = await request("/api/v1/clients", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ name: "smoke", scopes: ["users.read"] }),
  });
  const { clientId, clientSecret } = (await client.json()) as { clientId: string; clientSecret: string };
  check(client.status === 201, `an API client was registered (${client.status})`);
  return { token, clientId, clientSecret };
}

/** The credentials work with nothing but themselves (no cookie), also after a restart. */
async function exerciseCredentials({ token, clientId, clientSecret }: Credentials): Promise<void> {
  jar.clear();
  const me = await request("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  check(me.status === 200, `the personal token authenticates (${me.status})`);
  const issued = await request("/api/oauth/token", {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  const { access_token: accessToken } = (await issued.json()) as { access_token: string };
  check(issued.status === 200, `the client gets an access token (${issued.status})`);
  const users = await request("/api/v1/users", { headers: { authorization: `Bearer ${accessToken}` } });
  check(users.status === 200, `the access token reads users (${users.status})`);
  const jwks = (await (await request("/.well-known/jwks.json")).json()) as { keys: unknown[] };
  check(jwks.keys.length > 0, "the JWKS publishes the signing key");
}

/**
 * The administrator's home on the embedded database (one connection, PGlite), right after signing
 * in: the Overview page, its figures through the API, and a list behind them.
 */
async function overview(): Promise<void> {
  const page = await request("/overview");
  check(
    page.status === 200 && (await page.text()).includes("Overview"),
    `the Overview page renders (${page.status}${page.headers.get("location") ? ` to ${page.headers.get("location")}` : ""})`,
  );
  const figures = await request("/api/v1/overview");
  const body = (await figures.json()) as {
    risks?: { risk: string; count: number }[];
    mfa?: { activeUsers: number };
  };
  check(
    figures.status === 200 && body.mfa?.activeUsers === 1 && (body.risks?.length ?? 0) > 0,
    `GET /api/v1/overview counts one active user and every list (${figures.status})`,
  );
  // The first administrator has no second factor yet: the overview says so.
  const list = await request("/api/v1/overview/risks/mfa.missing");
  const gaps = (await list.json()) as { items?: { name: string }[] };
  check(
    list.status === 200 && gaps.items?.length === 1 && gaps.items[0]?.name === "Smoke Admin",
    `the MFA gaps list names the administrator (${list.status})`,
  );
}

async function stopped(server: ServerProcess): Promise<void> {
  await server.stop();
  check(!(await isAnswering(baseUrl)), "the server stopped (nothing answers on its port)");
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-smoke-"));
  const port = await freePort(3400 + Math.floor(Math.random() * 500));
  baseUrl = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KEYWARD_DATA_DIR: path.join(dir, "data"),
    PORT: String(port),
  };
  for (const name of [
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "KEYWARD_URL",
    "KEYWARD_SECRET",
    "KEYWARD_ENCRYPTION_KEY",
    "KEYWARD_ADMIN_EMAIL",
    "KEYWARD_ADMIN_PASSWORD",
  ])
    delete env[name];
  const email = "smoke.admin@example.test";
  const password = "quiet meadow copper lantern";
  const log = path.join(dir, "server.log");

  let server = startServer(env, log);
  try {
    await waitForReady(baseUrl, server, 8 * 60_000);
    await basics();
    const code = [...fs.readFileSync(log, "utf8").matchAll(/Setup code: (\S+)/g)].at(-1)?.[1];
    check(Boolean(code), "the server log shows a setup code");
    const setup = await request("/api/setup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code, email, name: "Smoke Admin", password }),
    });
    check(setup.status === 201, `first administrator created (${setup.status})`);
    await signIn(email, password);
    await overview();
    const issued = await credentials();
    await exerciseCredentials(issued);
    await stopped(server);
    check(
      (fs.statSync(path.join(dir, "data", "secrets.json")).mode & 0o777) === 0o600,
      "generated secrets are mode 0600",
    );

    server = startServer(env, log);
    await waitForReady(baseUrl, server, 2 * 60_000);
    await basics();
    check(
      !/Setup code:/.test(fs.readFileSync(log, "utf8").split("Keyward is ready").at(-2) ?? ""),
      "no new setup code after setup",
    );
    await signIn(email, password);
    await exerciseCredentials(issued);
    await stopped(server);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`not ok - ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
