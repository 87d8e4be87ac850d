import fs from "node:fs";

/**
 * How the browser layers launch Chromium: PLAYWRIGHT_CHROMIUM_EXECUTABLE, else Debian's Chromium when
 * present, else Playwright's own; without the background-networking flags it keeps trying to reach
 * Google's hosts, which this kind of machine refuses.
 */
export const chromiumLaunchOptions = {
  executablePath:
    process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ||
    (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined),
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
