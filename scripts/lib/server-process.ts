import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";

/**
 * Starts Keyward the way `npm start` does (scripts/start.ts) in its own process group, with its
 * output in a log file, so that stopping it stops the launcher, the web server and the embedded
 * database together.
 */
export type ServerProcess = { child: ChildProcess; log: string; stop(): Promise<void> };

export function startServer(env: NodeJS.ProcessEnv, log: string): ServerProcess {
  const out = fs.openSync(log, "a");
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env,
    detached: true,
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    log,
    async stop() {
      if (!child.pid || child.exitCode !== null) return;
      process.kill(-child.pid, "SIGTERM");
      const timeout = new Promise<"timeout">((resolve) =>
        setTimeout(() => resolve("timeout"), 30_000).unref(),
      );
      if ((await Promise.race([exited, timeout])) === "timeout") {
        process.kill(-child.pid, "SIGKILL");
        await exited;
      }
      // The launcher waits for its web server; anything left in the group is a bug worth a kill.
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is gone: the normal case
      }
    },
  };
}

export async function waitForReady(url: string, server: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null)
      throw new Error(
        `the server exited with ${server.child.exitCode}:\n${fs.readFileSync(server.log, "utf8")}`,
      );
    try {
      if ((await fetch(`${url}/api/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `the server was not ready within ${timeoutMs / 1000} s:\n${fs.readFileSync(server.log, "utf8")}`,
  );
}

export async function isAnswering(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}
