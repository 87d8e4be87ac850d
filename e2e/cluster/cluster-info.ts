// What the cluster runner (scripts/test-cluster.ts) tells its journeys, and the means to route their
// requests deliberately: pinning one instance on HAProxy's runtime API, or calling an instance's own
// port the way the balancer does.
import type { Page } from "@playwright/test";

import { balancerControl } from "../../scripts/lib/cluster.ts";

export type ClusterInfo = {
  socket: string;
  dir: string;
  instances: { name: string; url: string; metricsUrl: string; log: string }[];
  apiRateLimit: number;
  redisUrl: string;
  adminUrl: string;
};

export const cluster = JSON.parse(process.env.E2E_CLUSTER ?? "null") as ClusterInfo;
if (!cluster) throw new Error("Run the cluster journeys with `npm run test:cluster`.");
export const balancer = balancerControl(cluster.socket);
export const names = cluster.instances.map((instance) => instance.name);
/** The origin every instance serves (KEYWARD_URL): the balancer's. */
export const origin = process.env.E2E_BASE_URL ?? "";

export type Landing = { method: string; path: string; servedBy: string };

/**
 * From now on, each request of this page that changes something (every method but GET and HEAD:
 * form posts, server actions, sign-in steps, WebAuthn ceremonies) goes to the next instance in
 * turn, k1, k2, k3, k1…: HAProxy is told to send new requests to that one only before the request
 * leaves the browser. Returns where each such request was served (HAProxy's X-Served-By).
 */
export async function spreadChanges(page: Page): Promise<Landing[]> {
  const landings: Landing[] = [];
  let turn = 0;
  await page.route("**/*", async (route) => {
    const method = route.request().method();
    if (method !== "GET" && method !== "HEAD") await balancer.pin(names[turn++ % names.length] ?? "k1");
    await route.continue();
  });
  page.on("response", (response) => {
    const method = response.request().method();
    if (method === "GET" || method === "HEAD") return;
    landings.push({
      method,
      path: new URL(response.url()).pathname,
      servedBy: response.headers()["x-served-by"] ?? "",
    });
  });
  return landings;
}

/**
 * A request to one instance's own port, as the balancer forwards it: from loopback (a trusted
 * proxy), with the client's address in X-Forwarded-For and the balancer's origin.
 */
export function onInstance(
  name: string,
  path: string,
  init: RequestInit & { clientIp?: string } = {},
): Promise<Response> {
  const instance = cluster.instances.find((candidate) => candidate.name === name);
  if (!instance) throw new Error(`no instance ${name}`);
  const headers = new Headers(init.headers);
  headers.set("x-forwarded-for", init.clientIp ?? "198.51.100.10");
  if (init.method && init.method !== "GET") headers.set("origin", origin);
  return fetch(`${instance.url}${path}`, { ...init, headers, signal: AbortSignal.timeout(20_000) });
}

/** The same request on every instance, in order. */
export async function onEveryInstance(path: string, init: RequestInit = {}): Promise<number[]> {
  const statuses: number[] = [];
  for (const name of names) statuses.push((await onInstance(name, path, init)).status);
  return statuses;
}
