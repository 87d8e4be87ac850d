// A black-box check of a running Keyward over HTTP, as an operator would do it with curl:
//   tsx scripts/smoke.ts BASE_URL setup LOG_FILE EMAIL PASSWORD   first-run setup with the logged code, then sign-in
//   tsx scripts/smoke.ts BASE_URL sign-in EMAIL PASSWORD          sign-in only (e.g. after a restart)
import fs from "node:fs";

const [baseUrl, mode, ...rest] = process.argv.slice(2);
const jar = new Map<string, string>();

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
  const response = await fetch(new URL(path, baseUrl), { ...init, headers, redirect: "manual" });
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
  const body = (await me.json()) as { email?: string; permissions?: string[] };
  check(me.status === 200 && body.email === email, `GET /api/v1/me answers as ${email}`);
}

async function main(): Promise<void> {
  if (!baseUrl) throw new Error("usage: smoke.ts BASE_URL setup|sign-in ...");
  const health = await request("/api/health");
  check(health.status === 200, "GET /api/health is 200");
  const ready = await request("/api/ready");
  check(ready.status === 200, "GET /api/ready is 200");
  const anonymous = await request("/api/v1/me");
  check(anonymous.status === 401, "a signed-out API call is 401");

  if (mode === "setup") {
    const [log = "", email = "", password = ""] = rest;
    const code = [...fs.readFileSync(log, "utf8").matchAll(/Setup code: (\S+)/g)].at(-1)?.[1];
    check(Boolean(code), "the server log shows a setup code");
    const setup = await request("/api/setup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code, email, name: "Smoke Admin", password }),
    });
    check(setup.status === 201, `first administrator created (${setup.status})`);
    await signIn(email, password);
  } else {
    const [email = "", password = ""] = rest;
    await signIn(email, password);
  }
}

main().catch((error: unknown) => {
  console.error(`not ok - ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
