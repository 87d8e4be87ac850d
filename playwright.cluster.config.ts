import { defineConfig, devices } from "@playwright/test";

import { chromiumLaunchOptions } from "./e2e/chromium.ts";

// The cluster layer (scripts/test-cluster.ts): three instances behind HAProxy, one worker, so that
// the journeys' deliberate routing (pinning an instance on HAProxy's runtime API) is not disturbed
// by a parallel test's requests.
const baseURL = process.env.E2E_BASE_URL;
if (!baseURL) throw new Error("Run the cluster tests with `npm run test:cluster`: it starts the cluster.");

export default defineConfig({
  testDir: "e2e/cluster",
  testMatch: /.*\.spec\.ts/,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"]],
  timeout: 180_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: chromiumLaunchOptions,
  },
});
