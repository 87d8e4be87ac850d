import { spawn } from "node:child_process";
import path from "node:path";

/** An example program of examples/, running; `stop` ends it. */
export type ExampleProcess = { url: string; stop: () => void };

/**
 * Starts examples/<name>/server.mjs as its operator would run it, with `env` (and PORT=0 unless
 * given): resolves with the URL it prints ("listening on http://…").
 */
export async function startExample(name: string, env: Record<string, string>): Promise<ExampleProcess> {
  const child = spawn(process.execPath, [path.join("examples", name, "server.mjs")], {
    env: { ...process.env, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stop = () => {
    child.kill();
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`examples/${name} did not start`)), 20_000);
      child.stdout.on("data", (chunk: Buffer) => {
        const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`examples/${name} exited (${code})`));
      });
    });
    return { url, stop };
  } catch (error) {
    stop();
    throw error;
  }
}
