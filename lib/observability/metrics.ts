import type pg from "pg";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

import { credentialCacheStats } from "../credentials/credential-cache.ts";

/**
 * Keyward's Prometheus metrics (docs/observability.md lists them). One registry per process, kept
 * on globalThis: Next loads lib/ once per route bundle, and scripts/server.js loads it again on its
 * own, yet every copy must count into the instances the /metrics answer reads. Every label takes
 * values from a closed set chosen in code, never from a request, so the series stay bounded.
 */
export type SignInOutcome = "success" | "failure" | "second_factor_failed" | "locked";
export type SecondFactorKind = "totp" | "recovery" | "webauthn";
export type SecondFactorFlow = "sign_in" | "passwordless" | "step_up";
export type SecondFactorOutcome = "success" | "failure" | "locked" | "voided";
export type CredentialKind = "personal_token" | "access_token" | "client_secret";
export type GrantType = "client_credentials" | "authorization_code" | "refresh_token";

type Metrics = {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route" | "status_class">;
  httpAborted: Counter<"route">;
  httpInFlight: Gauge;
  signIns: Counter<"outcome">;
  secondFactors: Counter<"kind" | "flow" | "outcome">;
  tokensIssued: Counter<"grant_type">;
  verifications: Counter<"kind" | "outcome">;
  limiterRejections: Counter<"limiter">;
  poolWait: Histogram;
  /** The pool the gauges read: the current one of lib/db/client.ts (reopened when its URL changes). */
  pool: pg.Pool | null;
};

const store = globalThis as typeof globalThis & { __keywardMetrics?: Metrics };

function create(): Metrics {
  const registry = new Registry();
  // Event-loop lag, heap and RSS, GC pauses, open handles: prom-client's standard process metrics.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const made: Metrics = {
    registry,
    httpRequests: new Counter({
      name: "keyward_http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status code.",
      labelNames: ["method", "route", "status"],
      registers,
    }),
    httpDuration: new Histogram({
      name: "keyward_http_request_duration_seconds",
      help: "Time from a request's arrival to its response's end, by method, route pattern and status class.",
      labelNames: ["method", "route", "status_class"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    httpAborted: new Counter({
      name: "keyward_http_requests_aborted_total",
      help: "Requests whose connection closed before their response was complete, by route pattern.",
      labelNames: ["route"],
      registers,
    }),
    httpInFlight: new Gauge({
      name: "keyward_http_requests_in_flight",
      help: "Requests being answered now.",
      registers,
    }),
    signIns: new Counter({
      name: "keyward_sign_ins_total",
      help: "Sign-in and step-up outcomes: success, failure (first factor), second_factor_failed, locked (a new lock window).",
      labelNames: ["outcome"],
      registers,
    }),
    secondFactors: new Counter({
      name: "keyward_second_factor_challenges_total",
      help: "Second-factor (and passkey) checks, by kind, flow and outcome.",
      labelNames: ["kind", "flow", "outcome"],
      registers,
    }),
    tokensIssued: new Counter({
      name: "keyward_tokens_issued_total",
      help: "Access tokens issued at the token endpoint, by grant type.",
      labelNames: ["grant_type"],
      registers,
    }),
    verifications: new Counter({
      name: "keyward_credential_verifications_total",
      help: "Credentials presented and checked, by kind and outcome (valid or invalid).",
      labelNames: ["kind", "outcome"],
      registers,
    }),
    limiterRejections: new Counter({
      name: "keyward_limiter_rejections_total",
      help: "Attempts refused by a rate limiter, by limiter name.",
      labelNames: ["limiter"],
      registers,
    }),
    poolWait: new Histogram({
      name: "keyward_db_pool_wait_seconds",
      help: "Time a query or transaction waited for a database connection (a free one, or a new one).",
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 3, 10],
      registers,
    }),
    pool: null,
  };
  // Read when scraped, from what lib/credentials/credential-cache.ts counts anyway: no work per
  // verification. A cleared cache keeps its counts; a restart resets them, which rate() allows.
  new Counter({
    name: "keyward_credential_cache_hits_total",
    help: "Credential verifications answered from the in-process cache.",
    registers,
    collect() {
      this.reset();
      this.inc(credentialCacheStats().hits);
    },
  });
  new Counter({
    name: "keyward_credential_cache_misses_total",
    help: "Credential verifications that went to the database.",
    registers,
    collect() {
      this.reset();
      this.inc(credentialCacheStats().misses);
    },
  });
  new Gauge({
    name: "keyward_credential_cache_entries",
    help: "Entries in the credential cache.",
    registers,
    collect() {
      this.set(credentialCacheStats().entries);
    },
  });
  const poolGauge = (name: string, help: string, read: (pool: pg.Pool) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(made.pool ? read(made.pool) : 0);
      },
    });
  poolGauge("keyward_db_pool_connections", "Connections the database pool holds.", (p) => p.totalCount);
  poolGauge("keyward_db_pool_idle_connections", "Connections idle in the pool.", (p) => p.idleCount);
  poolGauge(
    "keyward_db_pool_waiting_requests",
    "Queries and transactions waiting for a connection.",
    (p) => p.waitingCount,
  );
  poolGauge("keyward_db_pool_max_connections", "The pool's size limit.", (p) => p.options.max ?? 10);
  return made;
}

export function metrics(): Metrics {
  store.__keywardMetrics ??= create();
  return store.__keywardMetrics;
}

/** The exposition: Prometheus text format. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** One answered request (scripts/server.js, when the response ends or its connection closes). */
export function observeHttpRequest(request: {
  method: string;
  route: string;
  status: number;
  seconds: number;
  aborted: boolean;
}): void {
  const m = metrics();
  const method = METHODS.has(request.method) ? request.method : "other";
  const status = request.status >= 100 && request.status <= 599 ? request.status : 0;
  m.httpRequests.inc({ method, route: request.route, status });
  m.httpDuration.observe(
    { method, route: request.route, status_class: `${Math.floor(status / 100)}xx` },
    request.seconds,
  );
  if (request.aborted) m.httpAborted.inc({ route: request.route });
}

export function countSignInOutcome(outcome: SignInOutcome): void {
  metrics().signIns.inc({ outcome });
}

export function countSecondFactor(
  kind: SecondFactorKind,
  flow: SecondFactorFlow,
  outcome: SecondFactorOutcome,
): void {
  metrics().secondFactors.inc({ kind, flow, outcome });
}

export function countTokenIssued(grantType: GrantType): void {
  metrics().tokensIssued.inc({ grant_type: grantType });
}

export function countVerification(kind: CredentialKind, valid: boolean): void {
  metrics().verifications.inc({ kind, outcome: valid ? "valid" : "invalid" });
}

/** `limiter`: a limiter's name as declared in code (lib/limits), never a key. */
export function countLimiterRejection(limiter: string): void {
  metrics().limiterRejections.inc({ limiter });
}

/** The pool whose size, idle and waiting counts the gauges report (lib/db/client.ts, when opened). */
export function watchPool(pool: pg.Pool): void {
  metrics().pool = pool;
}

export function observePoolWait(seconds: number): void {
  metrics().poolWait.observe(seconds);
}
