import { spawn } from "node:child_process";
import path from "node:path";

import { freePort } from "../lib/db/embedded.ts";
import { makeApp } from "../test/app-factories.ts";

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

const running: ExampleProcess[] = [];

/**
 * Registers an app in Keyward (a web app with a secret unless `fields` say otherwise) and starts
 * examples/sso-app as it, on a port of its own; stopExampleApps() ends them (test.afterAll).
 */
export async function exampleApp(fields: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const port = await freePort(4300 + Math.floor(Math.random() * 600));
  const url = `http://127.0.0.1:${port}`;
  const { app } = await makeApp({ redirectUris: [`${url}/callback`], ...fields });
  const example = await startExample("sso-app", {
    ISSUER: String(process.env.KEYWARD_URL),
    CLIENT_ID: app.clientId,
    CLIENT_SECRET: app.clientSecret ?? "",
    PORT: String(port),
    APP_URL: url,
    ...env,
  });
  running.push(example);
  return { url, app };
}

export function stopExampleApps(): void {
  for (const app of running.splice(0)) app.stop();
}
