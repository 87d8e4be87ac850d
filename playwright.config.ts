import { defineConfig, devices } from "@playwright/test";

import { chromiumLaunchOptions } from "./e2e/chromium.ts";

const baseURL = process.env.E2E_BASE_URL;
if (!baseURL)
  throw new Error("Run the browser tests with `npm run test:e2e`: it starts a server on a fresh database.");

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"]],
  // Two workers, the server and PostgreSQL share two cores: allow for it.
  timeout: 120_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: chromiumLaunchOptions,
  },
  projects: [
    // First run must happen on the empty database, before anything else creates users.
    { name: "first-run", testMatch: /first-run\.setup\.ts/, use: { ...devices["Desktop Chrome"] } },
    {
      name: "chromium",
      testMatch: /.*\.spec\.ts/,
      // The cluster journeys run against three instances behind HAProxy (npm run test:cluster).
      testIgnore: [/settings\.spec\.ts/, /cluster\//],
      dependencies: ["first-run"],
      use: { ...devices["Desktop Chrome"] },
    },
    // Property-based fuzzing of every API route: after the journeys, alone.
    { name: "fuzz", testMatch: /.*\.fuzz\.ts/, dependencies: ["chromium"] },
    // Global settings change what every user meets: these run last, alone.
    {
      name: "global-settings",
      testMatch: /settings\.spec\.ts/,
      testIgnore: /cluster\//,
      dependencies: ["fuzz"],
      use: { ...devices["Desktop Chrome"] },
    },
  ],
});
