// Single sign-on over HTTP (issue 15): the OpenID provider's code flow, code exchange and refresh
// against the running server, driven by a browser in miniature with no browser: GET requests that
// follow the Location headers by hand with a cookie jar per flow, then the app's token requests.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";

import { createAppSchema } from "../../lib/apps/app-schemas.ts";
import { createApp } from "../../lib/apps/manage-apps.ts";
import { SYSTEM_CONTEXT } from "../../lib/auth/principal.ts";
import { sessionCookieHeader } from "../../lib/auth/session-cookie.ts";
import { createSession, resolveSession } from "../../lib/auth/sessions.ts";
import { db } from "../../lib/db/client.ts";
import { builtInRoleId } from "../../lib/roles/ensure-built-in-roles.ts";
import { cpuSeconds } from "./process-stats.ts";
import { benchUserId } from "./seed.ts";
import { percentile } from "./stats.ts";

/** The app's registered redirect URI: never followed, only read from the Location header. */
export const SSO_REDIRECT = "https://bench-app.example.test/callback";
const CONTEXT = { ...SYSTEM_CONTEXT, userAgent: "bench", requestId: "bench-sso" };

export type SsoUser = { userId: string; cookie: string };
export type SsoSetup = { clientId: string; basic: string; users: SsoUser[] };

/**
 * Through the domain, as the seed's administrator would: a first-party web app (no consent screen,
 * refresh tokens without `offline_access`) registered by an administrator with a fresh session, and
 * `count` active seeded users, each signed in to Keyward (a Session row and next-auth's cookie).
 */
export async function seedSso(count: number): Promise<SsoSetup> {
  const adminId = benchUserId(42); // an active seeded user (lib/seed.ts: not i % 20 = 0 nor i % 50 = 1)
  const admin = await builtInRoleId(db, "admin");
  await db.roleAssignment.upsert({
    where: { userId_roleId: { userId: adminId, roleId: admin } },
    create: { userId: adminId, roleId: admin },
    update: {},
  });
  const actor = await signIn(adminId);
  const app = await createApp({
    actor: actor.principal,
    context: CONTEXT,
    input: createAppSchema.parse({
      kind: "web",
      name: "Bench SSO app",
      redirectUris: [SSO_REDIRECT],
      firstParty: true,
    }),
  });
  if (!app.clientSecret) throw new Error("the bench app has no secret");
  const candidates: number[] = [];
  for (let i = 1_001; candidates.length < count * 2; i++) {
    if (i % 20 !== 0 && i % 50 !== 1) candidates.push(i); // not disabled, not invited
  }
  const users: SsoUser[] = [];
  for (let at = 0; users.length < count && at < candidates.length; at += 8) {
    const signedIn = await Promise.all(candidates.slice(at, at + 8).map((i) => signIn(benchUserId(i))));
    for (const { principal, cookie } of signedIn) {
      // A role that requires MFA would stop their sign-in at enrollment: not this row's path.
      if (!principal.mustEnrollMfa && users.length < count) users.push({ userId: principal.userId, cookie });
    }
  }
  if (users.length < count)
    throw new Error(`only ${users.length} bench users may sign in without enrolling MFA`);
  return {
    clientId: app.clientId,
    basic: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString("base64")}`,
    users,
  };
}

async function signIn(userId: string) {
  const session = await db.$transaction((tx) =>
    createSession(tx, { userId, amr: ["pwd"], mfa: false, context: CONTEXT }),
  );
  const principal = await resolveSession(session.id);
  if (!principal) throw new Error(`the bench session of ${userId} did not resolve`);
  const cookie = (await sessionCookieHeader(userId, session.id)).split(";")[0] as string;
  return { principal, cookie };
}

type Reply = { status: number; location: string | null; cookies: string[]; body: string };

/** Keep-alive HTTP/1.1 to the server, one socket per concurrent loop (as autocannon's connections). */
export class Driver {
  readonly requests = { count: 0 };
  private readonly agent: http.Agent;
  private readonly origin: URL;

  constructor(base: string, sockets: number) {
    this.origin = new URL(base);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          agent: this.agent,
          host: this.origin.hostname,
          port: this.origin.port,
          method,
          path,
          headers: body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            this.requests.count++;
            const location = response.headers.location;
            resolve({
              status: response.statusCode ?? 0,
              location: location ?? null,
              cookies: response.headers["set-cookie"] ?? [],
              body: Buffer.concat(chunks).toString("utf8"),
            });
          });
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  }

  /** The path and query of a Location on the server's own origin; null for any other origin. */
  local(location: string): string | null {
    const url = new URL(location, this.origin);
    return url.origin === this.origin.origin ? `${url.pathname}${url.search}` : null;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A browser's cookies, enough for Keyward's and the provider's (all sent on every path). */
export class Jar {
  private readonly cookies = new Map<string, string>();

  constructor(keyward: string) {
    const at = keyward.indexOf("=");
    this.cookies.set(keyward.slice(0, at), keyward.slice(at + 1));
  }

  take(lines: string[]): void {
    for (const line of lines) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const gone = attributes.some((attribute) => {
        const [key = "", setting = ""] = attribute.trim().split("=");
        if (key.toLowerCase() === "max-age") return Number(setting) <= 0;
        if (key.toLowerCase() === "expires") return Date.parse(setting) <= Date.now();
        return false;
      });
      if (gone || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

type Hop = "authorize" | "interaction" | "resume" | "token";
const HOPS: Hop[] = ["authorize", "interaction", "resume", "token"];

type Samples = { flow: number[]; hops: Record<Hop, number[]>; errors: number; firstErrors: string[] };
const newSamples = (): Samples => ({
  flow: [],
  hops: { authorize: [], interaction: [], resume: [], token: [] },
  errors: 0,
  firstErrors: [],
});

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

const timed = async <T>(samples: number[] | undefined, run: () => Promise<T>): Promise<T> => {
  const start = performance.now();
  const result = await run();
  samples?.push(performance.now() - start);
  return result;
};

/**
 * GET /oidc/auth and every Location after it on Keyward's origin (/interaction/<uid>, whose route
 * completes the sign-in and a first-party app's consent for a signed-in user, and the provider's
 * resume /oidc/auth/<uid>) until one is the app's redirect URI; its code and the PKCE verifier.
 */
export async function authorize(
  driver: Driver,
  setup: SsoSetup,
  jar: Jar,
  samples?: Samples,
): Promise<{ code: string; verifier: string; hops: number }> {
  const { verifier, challenge } = pkce();
  const state = randomBytes(12).toString("base64url");
  const query = new URLSearchParams({
    client_id: setup.clientId,
    redirect_uri: SSO_REDIRECT,
    response_type: "code",
    scope: "openid",
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
  });
  let path = `/oidc/auth?${query}`;
  for (let hop = 1; hop <= 10; hop++) {
    const kind: Hop = path.startsWith("/interaction/")
      ? "interaction"
      : path.startsWith("/oidc/auth/")
        ? "resume"
        : "authorize";
    const reply = await timed(samples?.hops[kind], () => driver.send("GET", path, { cookie: jar.header() }));
    jar.take(reply.cookies);
    if (!reply.location) throw new Error(`${kind} answered ${reply.status} without a Location`);
    if (reply.location.startsWith(SSO_REDIRECT)) {
      const back = new URL(reply.location);
      const code = back.searchParams.get("code");
      if (!code || back.searchParams.get("state") !== state) {
        throw new Error(`back at the app without a code: ${back.search.slice(0, 200)}`);
      }
      return { code, verifier, hops: hop };
    }
    const next = driver.local(reply.location);
    if (!next) throw new Error(`sent off to ${reply.location.slice(0, 120)}`);
    if (next.startsWith("/login") || /^\/interaction\/[^/?]+\/./.test(next)) {
      throw new Error(`stopped at ${next.slice(0, 120)} (a signed-in first-party user should pass)`);
    }
    path = next;
  }
  throw new Error("more than 10 redirects");
}

type Tokens = { refresh_token?: string; access_token?: string; id_token?: string };

export async function tokenRequest(
  driver: Driver,
  setup: SsoSetup,
  form: Record<string, string>,
): Promise<Tokens> {
  const reply = await driver.send(
    "POST",
    "/api/oauth/token",
    { authorization: setup.basic, "content-type": "application/x-www-form-urlencoded" },
    new URLSearchParams(form).toString(),
  );
  if (reply.status !== 200)
    throw new Error(`token endpoint answered ${reply.status}: ${reply.body.slice(0, 200)}`);
  return JSON.parse(reply.body) as Tokens;
}

export const exchange = (driver: Driver, setup: SsoSetup, code: string, verifier: string) =>
  tokenRequest(driver, setup, {
    grant_type: "authorization_code",
    code,
    redirect_uri: SSO_REDIRECT,
    code_verifier: verifier,
  });

/** Runs `concurrency` loops of `step(loop)` until `seconds` have passed; the time they took. */
async function loops(
  concurrency: number,
  seconds: number,
  samples: Samples,
  step: (loop: number) => Promise<void>,
): Promise<number> {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (performance.now() < deadline) {
        try {
          await step(loop);
        } catch (error) {
          samples.errors++;
          if (samples.firstErrors.length < 5)
            samples.firstErrors.push(String((error as Error).message ?? error));
          // A setup that fails every time is a broken bench, not a figure.
          if (samples.errors > 50 && samples.errors > samples.flow.length) {
            throw new Error(
              `single sign-on: ${samples.errors} failures, e.g. ${samples.firstErrors.join(" | ")}`,
            );
          }
        }
      }
    }),
  );
  return (performance.now() - start) / 1000;
}

export type Figure = {
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  cpu: number;
  perCpuSecond: number;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  firstErrors: string[];
};

function figure(samples: number[], seconds: number, cpu: number, requests: number, errors: Samples): Figure {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: samples.length,
    seconds,
    perSecond: samples.length / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    cpu,
    perCpuSecond: samples.length / cpu,
    requests,
    requestsPerSecond: requests / seconds,
    errors: errors.errors,
    firstErrors: errors.firstErrors,
  };
}

/** Runs `run` counting the server's CPU seconds and the driver's requests over it. */
async function metered(driver: Driver, pid: number, run: () => Promise<number>) {
  const requests = driver.requests.count;
  const cpu = cpuSeconds(pid);
  const seconds = await run();
  return { seconds, cpu: cpuSeconds(pid) - cpu, requests: driver.requests.count - requests };
}

export type SsoResult = {
  floor: Figure;
  flow: Figure & { hopsPerFlow: number; hops: Record<Hop, { p50: number; p99: number; count: number }> };
  exchangeInFlow: { p50: number; p99: number; share: number };
  ssoAuthorize: Figure;
  exchange: Figure;
  refresh: Figure;
  warnings: { refused: number; failed: number; other: number; lines: string[] };
  seconds: number;
};

/**
 * The single sign-on rows, against the running server:
 * - the floor route through this same driver (the ratios' baseline: the same client, loops, sockets);
 * - the full code flow: fresh cookie jar with the user's Keyward cookie, authorize → interaction
 *   (login) → resume → interaction (consent) → resume → redirect with code → code exchange;
 * - authorize with the provider session the flow left (one hop to the redirect URI), which is also
 *   how the exchange's codes are made: a batch just before its window, far inside their 60 s;
 * - the code exchange alone, every code of the batch once;
 * - refresh grants, each loop rotating its own chain (every refresh returns the next token).
 */
export async function measureSso(options: {
  base: string;
  pid: number;
  setup: SsoSetup;
  duration: number;
  connections: number;
  serverLog: string;
  log: (message: string) => void;
}): Promise<SsoResult> {
  const { pid, setup, duration, connections, log } = options;
  const started = performance.now();
  const logStart = fs.statSync(options.serverLog).size;
  const driver = new Driver(options.base, connections);
  try {
    // The floor, through this driver: what the ratios compare with.
    log("HTTP: single sign-on, the floor through the same driver");
    const floorSamples = newSamples();
    const floorRun = await metered(driver, pid, () =>
      loops(connections, duration / 2, floorSamples, async () => {
        const reply = await timed(floorSamples.flow, () => driver.send("GET", "/api/health", {}));
        if (reply.status !== 200) throw new Error(`health answered ${reply.status}`);
      }),
    );
    const floor = figure(floorSamples.flow, floorRun.seconds, floorRun.cpu, floorRun.requests, floorSamples);

    // The full code flow, each with a fresh jar; each loop keeps its last jar for the SSO rows.
    let next = 0;
    let hopCount = 0;
    const jars: { jar: Jar; refresh?: string }[] = [];
    const flowOnce = async (loop: number, samples: Samples) => {
      const user = setup.users[next++ % setup.users.length] as SsoUser;
      const jar = new Jar(user.cookie);
      const start = performance.now();
      const { code, verifier, hops } = await authorize(driver, setup, jar, samples);
      hopCount += hops;
      const tokens = await timed(samples.hops.token, () => exchange(driver, setup, code, verifier));
      if (!tokens.refresh_token || !tokens.id_token)
        throw new Error("the code exchange gave no refresh or ID token");
      samples.flow.push(performance.now() - start);
      jars[loop] = { jar, refresh: tokens.refresh_token };
    };
    log("HTTP: single sign-on, full code flow (warm-up 2 s, then measured)");
    await loops(connections, 2, newSamples(), (loop) => flowOnce(loop, newSamples()));
    hopCount = 0;
    const flowSamples = newSamples();
    const flowRun = await metered(driver, pid, () =>
      loops(connections, duration, flowSamples, (loop) => flowOnce(loop, flowSamples)),
    );
    const flowBase = figure(flowSamples.flow, flowRun.seconds, flowRun.cpu, flowRun.requests, flowSamples);
    const hopStats = Object.fromEntries(
      HOPS.map((hop) => {
        const sorted = [...flowSamples.hops[hop]].sort((a, b) => a - b);
        return [hop, { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), count: sorted.length }];
      }),
    ) as Record<Hop, { p50: number; p99: number; count: number }>;
    const tokenTimes = [...flowSamples.hops.token].sort((a, b) => a - b);
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

    // Codes for the exchange window, from the provider session each loop's last flow left.
    log("HTTP: single sign-on, authorize with the provider session (the exchange's batch of codes)");
    const codes: { code: string; verifier: string }[] = [];
    const ssoSamples = newSamples();
    const batchStarted = performance.now();
    const ssoRun = await metered(driver, pid, () =>
      loops(connections, duration / 2, ssoSamples, async (loop) => {
        const held = jars[loop] as { jar: Jar };
        const start = performance.now();
        const { code, verifier, hops } = await authorize(driver, setup, held.jar);
        if (hops !== 1) throw new Error(`authorize with a provider session took ${hops} hops`);
        ssoSamples.flow.push(performance.now() - start);
        codes.push({ code, verifier });
      }),
    );
    const ssoAuthorize = figure(ssoSamples.flow, ssoRun.seconds, ssoRun.cpu, ssoRun.requests, ssoSamples);

    log(`HTTP: single sign-on, code exchange alone (${codes.length} codes, each once)`);
    let taken = 0;
    const exchangeSamples = newSamples();
    const exchangeRun = await metered(driver, pid, async () => {
      const start = performance.now();
      await Promise.all(
        Array.from({ length: connections }, async (_, loop) => {
          for (let i = taken++; i < codes.length; i = taken++) {
            const { code, verifier } = codes[i] as { code: string; verifier: string };
            try {
              const t = performance.now();
              const tokens = await exchange(driver, setup, code, verifier);
              exchangeSamples.flow.push(performance.now() - t);
              if (tokens.refresh_token) (jars[loop] as { refresh?: string }).refresh = tokens.refresh_token;
            } catch (error) {
              exchangeSamples.errors++;
              if (exchangeSamples.firstErrors.length < 5)
                exchangeSamples.firstErrors.push((error as Error).message);
            }
          }
        }),
      );
      return (performance.now() - start) / 1000;
    });
    const codeAge = (performance.now() - batchStarted) / 1000;
    if (codeAge > 55)
      log(`the batch's first codes were ${codeAge.toFixed(0)} s old at the end: some may have expired`);
    const exchangeFigure = figure(
      exchangeSamples.flow,
      exchangeRun.seconds,
      exchangeRun.cpu,
      exchangeRun.requests,
      exchangeSamples,
    );

    // Refresh: each loop its own chain, the token each refresh returns used for the next.
    log("HTTP: single sign-on, refresh grants (one rotating chain per connection)");
    const refreshOnce = async (loop: number, samples: number[] | undefined) => {
      const held = jars[loop] as { refresh?: string };
      if (!held.refresh) throw new Error("a loop holds no refresh token");
      const tokens = await timed(samples, () =>
        tokenRequest(driver, setup, { grant_type: "refresh_token", refresh_token: held.refresh as string }),
      );
      if (!tokens.refresh_token || tokens.refresh_token === held.refresh)
        throw new Error("the refresh did not rotate");
      held.refresh = tokens.refresh_token;
    };
    await loops(connections, 2, newSamples(), (loop) => refreshOnce(loop, undefined));
    const refreshSamples = newSamples();
    const refreshRun = await metered(driver, pid, () =>
      loops(connections, duration, refreshSamples, (loop) => refreshOnce(loop, refreshSamples.flow)),
    );
    const refresh = figure(
      refreshSamples.flow,
      refreshRun.seconds,
      refreshRun.cpu,
      refreshRun.requests,
      refreshSamples,
    );

    return {
      floor,
      flow: { ...flowBase, hopsPerFlow: hopCount / Math.max(1, flowBase.count), hops: hopStats },
      exchangeInFlow: {
        p50: percentile(tokenTimes, 0.5),
        p99: percentile(tokenTimes, 0.99),
        share: sum(flowSamples.hops.token) / sum(flowSamples.flow),
      },
      ssoAuthorize,
      exchange: exchangeFigure,
      refresh,
      warnings: serverWarnings(options.serverLog, logStart),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    driver.close();
  }
}

/** What the server logged while the single sign-on rows ran: refusals, failures, anything else. */
function serverWarnings(file: string, from: number) {
  const text = fs.readFileSync(file).subarray(from).toString("utf8");
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const refused = lines.filter((line) => line.includes("refused")).length;
  const failed = lines.filter((line) => /fail|error/i.test(line)).length;
  return { refused, failed, other: lines.length - refused - failed, lines: [...new Set(lines)].slice(0, 10) };
}
