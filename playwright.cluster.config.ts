import fs from "node:fs";

import { defineConfig, devices } from "@playwright/test";

// The cluster layer (scripts/test-cluster.ts): three instances behind HAProxy, one worker, so that
// the journeys' deliberate routing (pinning an instance on HAProxy's runtime API) is not disturbed
// by a parallel test's requests.
const executablePath =
  process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ||
  (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

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
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
