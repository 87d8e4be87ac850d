// Several Keyward instances behind HAProxy on loopback, started from the deployment's own files:
// deploy/keyward@.service (how an instance starts and stops) and deploy/haproxy.cfg (how requests
// reach them). `npm run cluster`, the cluster test layer and the cluster benchmark use it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

import { freePort } from "../../lib/db/embedded.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const UNIT_FILE = path.join(ROOT, "deploy", "keyward@.service");
export const HAPROXY_CONFIG = path.join(ROOT, "deploy", "haproxy.cfg");

export type Unit = {
  command: string[];
  environment: Record<string, string>;
  killSignal: NodeJS.Signals;
  timeoutStopMs: number;
};

/**
 * The [Service] settings of the unit this harness honours, for instance `%i`. `/usr/bin/env node`
 * becomes the Node running this process (the one CI put first on PATH), as `env` would find it.
 */
export function readUnit(instance: string, file = UNIT_FILE): Unit {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  let section = "";
  const unit: Unit = { command: [], environment: {}, killSignal: "SIGTERM", timeoutStopMs: 90_000 };
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1] ?? "";
      continue;
    }
    if (section !== "Service") continue;
    const at = line.indexOf("=");
    const key = line.slice(0, at);
    const value = line.slice(at + 1).replaceAll("%i", instance);
    if (key === "Environment") {
      const eq = value.indexOf("=");
      unit.environment[value.slice(0, eq)] = value.slice(eq + 1);
    } else if (key === "ExecStart") {
      unit.command = value.split(/\s+/);
    } else if (key === "KillSignal") {
      unit.killSignal = value as NodeJS.Signals;
    } else if (key === "TimeoutStopSec") {
      unit.timeoutStopMs = Number(value) * 1000;
    }
  }
  if (unit.command[0] === "/usr/bin/env") unit.command.shift();
  if (unit.command[0] === "node") unit.command[0] = process.execPath;
  if (unit.command.length === 0) throw new Error(`${file} has no ExecStart`);
  return unit;
}

export type Instance = {
  name: string;
  port: number;
  url: string;
  /** Its Prometheus metrics, on a loopback port of its own (KEYWARD_METRICS_PORT). */
  metricsUrl: string;
  log: string;
  readonly child: ChildProcess | null;
  /** Starts (or starts again) the instance as systemd would. */
  start(): void;
  /** `systemctl stop`: KillSignal to the main process, SIGKILL to the group after TimeoutStopSec. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }>;
  /** `kill -9` on the instance: the launcher and its server die at once, mid-request. */
  kill(): Promise<void>;
  running(): boolean;
};

/** Environment variables to pass on. */
export type Env = Record<string, string | undefined>;
/** Next's types declare NODE_ENV mandatory in ProcessEnv; a child's environment need not set it. */
const processEnv = (env: Env) => env as unknown as NodeJS.ProcessEnv;

function startInstance(
  name: string,
  index: number,
  ports: { http: number; metrics: number },
  env: Env,
  dir: string,
): Instance {
  const port = ports.http;
  const log = path.join(dir, `${name}.log`);
  let child: ChildProcess | null = null;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({
    code: null,
    signal: null,
  });
  const unit = readUnit(String(index));
  const instance: Instance = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics`,
    log,
    get child() {
      return child;
    },
    start() {
      const out = fs.openSync(log, "a");
      // The environment file's values override the unit's Environment= lines, as in systemd.
      const [command, ...args] = unit.command as [string, ...string[]];
      const started = spawn(command, args, {
        cwd: ROOT,
        env: processEnv({
          ...unit.environment,
          ...env,
          PORT: String(port),
          HOST: "127.0.0.1",
          KEYWARD_METRICS_PORT: String(ports.metrics),
        }),
        detached: true,
        stdio: ["ignore", out, out],
      });
      fs.closeSync(out);
      child = started;
      exited = new Promise((resolve) => started.once("exit", (code, signal) => resolve({ code, signal })));
    },
    async stop() {
      const current = child;
      if (!current?.pid || current.exitCode !== null || current.signalCode !== null)
        return { code: current?.exitCode ?? null, signal: current?.signalCode ?? null, killed: false };
      process.kill(current.pid, unit.killSignal);
      const timeout = new Promise<"timeout">((resolve) =>
        setTimeout(() => resolve("timeout"), unit.timeoutStopMs).unref(),
      );
      const outcome = await Promise.race([exited, timeout]);
      killGroup(current.pid);
      if (outcome === "timeout") return { ...(await exited), killed: true };
      return { ...outcome, killed: false };
    },
    async kill() {
      const current = child;
      if (!current?.pid || current.exitCode !== null || current.signalCode !== null) return;
      killGroup(current.pid);
      await exited;
      // The launcher is gone; the web server it started dies with it, a moment later: dead once
      // its port refuses connections.
      await waitForPort(port, false, 5_000);
    },
    running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
  };
  instance.start();
  return instance;
}

/** Whether something accepts TCP connections on this loopback port now. */
function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Waits until the loopback port accepts connections (`open`) or refuses them (`!open`). */
export async function waitForPort(port: number, open: boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await portAccepts(port)) === open) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`port ${port} still ${open ? "refuses" : "accepts"} connections`);
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // the group is gone already
  }
}

export type Cluster = {
  /** The balancer's address: KEYWARD_URL of every instance. */
  url: string;
  instances: Instance[];
  dir: string;
  /** A command on HAProxy's runtime API, e.g. `show stat`. */
  admin(command: string): Promise<string>;
  /** Sends every new request to this instance only (the others in maintenance), until unpin(). */
  pin(name: string): Promise<void>;
  unpin(): Promise<void>;
  /** HAProxy's view of each instance: UP, DOWN, MAINT, … */
  states(): Promise<Record<string, string>>;
  waitForStates(wanted: Record<string, string>, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
};

export type ClusterOptions = {
  databaseUrl: string;
  redisUrl?: string;
  /** Folder for logs, the runtime socket and each instance's data folder. */
  dir: string;
  /** Shared secrets: every instance must sign and encrypt alike. */
  secret: string;
  encryptionKey: string;
  /** Names the serving instance in X-Served-By (tests). */
  servedBy?: boolean;
  env?: Env;
  /** How long the first start may take (it may build the web app). */
  readyTimeoutMs?: number;
};

const NAMES = ["k1", "k2", "k3"] as const;

/**
 * Starts three instances at the same moment (they take turns for migrations and the build) and
 * HAProxy in front, and waits until HAProxy sees all three up.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  fs.mkdirSync(options.dir, { recursive: true });
  const haproxyBin = findHaproxy();
  const lbPort = await freePort(18_000 + Math.floor(Math.random() * 2000));
  const url = `http://localhost:${lbPort}`;
  const ports: number[] = [];
  const metricsPorts: number[] = [];
  for (let i = 0; i < NAMES.length; i++) {
    ports.push(await freePort(lbPort + 1 + i * 7));
    metricsPorts.push(await freePort(lbPort + 4 + i * 7));
  }
  const env: Env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NEXT_TELEMETRY_DISABLED: "1",
    ...options.env,
    DATABASE_URL: options.databaseUrl,
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    KEYWARD_URL: url,
    KEYWARD_SECRET: options.secret,
    KEYWARD_ENCRYPTION_KEY: options.encryptionKey,
    KEYWARD_TRUSTED_PROXIES: "127.0.0.1",
  };
  const instances = NAMES.map((name, i) =>
    startInstance(
      name,
      i + 1,
      { http: ports[i] ?? 0, metrics: metricsPorts[i] ?? 0 },
      { ...env, KEYWARD_DATA_DIR: path.join(options.dir, name) },
      options.dir,
    ),
  );

  const socket = path.join(options.dir, "haproxy.sock");
  const haproxyLog = path.join(options.dir, "haproxy.log");
  const out = fs.openSync(haproxyLog, "a");
  const haproxy = spawn(haproxyBin, ["-db", "-f", HAPROXY_CONFIG], {
    env: processEnv({
      PATH: process.env.PATH,
      KEYWARD_LB_BIND: `127.0.0.1:${lbPort}`,
      KEYWARD_HAPROXY_SOCKET: socket,
      ...(options.servedBy ? { KEYWARD_LB_SERVED_BY: "1" } : {}),
      ...Object.fromEntries(ports.map((port, i) => [`KEYWARD_NODE_${i + 1}`, `127.0.0.1:${port}`])),
    }),
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);

  const control = balancerControl(socket, () => {
    if (haproxy.exitCode !== null) throw new Error(`haproxy exited:\n${fs.readFileSync(haproxyLog, "utf8")}`);
  });

  const cluster: Cluster = {
    url,
    instances,
    dir: options.dir,
    ...control,
    async stop() {
      await Promise.all(instances.map((instance) => instance.stop()));
      haproxy.kill("SIGTERM");
    },
  };
  try {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 8 * 60_000);
    for (const instance of instances) {
      await waitForInstance(instance, deadline);
    }
    await control.waitForStates(Object.fromEntries(NAMES.map((name) => [name, "UP"])));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

export type BalancerControl = Pick<Cluster, "admin" | "pin" | "unpin" | "states" | "waitForStates">;

/** HAProxy's runtime API for the backend `keyward` of deploy/haproxy.cfg. */
export function balancerControl(socket: string, check: () => void = () => undefined): BalancerControl {
  const admin = (command: string) => runtimeApi(socket, command);
  const states = async () => {
    const csv = await admin("show stat");
    const rows = csv.split("\n").filter((line) => line.startsWith("keyward,"));
    // show stat: pxname,svname,…; status is the 18th field ("UP", "DOWN", "MAINT", "UP 1/2"…).
    return Object.fromEntries(
      rows
        .map((row) => row.split(","))
        .map((fields) => [fields[1] ?? "", (fields[17] ?? "").split(" ")[0] ?? ""]),
    );
  };
  return {
    admin,
    states,
    async waitForStates(wanted, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let seen: Record<string, string> = {};
      while (Date.now() < deadline) {
        check();
        seen = await states().catch(() => ({}));
        if (Object.entries(wanted).every(([name, state]) => seen[name] === state)) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`HAProxy did not reach ${JSON.stringify(wanted)} (last: ${JSON.stringify(seen)})`);
    },
    async pin(name) {
      for (const other of NAMES)
        await admin(`set server keyward/${other} state ${other === name ? "ready" : "maint"}`);
    },
    async unpin() {
      for (const other of NAMES) await admin(`set server keyward/${other} state ready`);
    },
  };
}

/** Waits until the instance answers ready on its own port (not through the balancer). */
export async function waitForInstance(instance: Instance, deadline = Date.now() + 60_000): Promise<void> {
  while (Date.now() < deadline) {
    if (!instance.running())
      throw new Error(`${instance.name} exited:\n${fs.readFileSync(instance.log, "utf8").slice(-4000)}`);
    try {
      const answer = await fetch(`${instance.url}/api/ready`, { signal: AbortSignal.timeout(2_000) });
      if (answer.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(
    `${instance.name} was not ready in time:\n${fs.readFileSync(instance.log, "utf8").slice(-4000)}`,
  );
}

/** One command on HAProxy's runtime API (the stats socket), its whole answer. */
export function runtimeApi(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const connection = net.createConnection(socket);
    let answer = "";
    connection.setEncoding("utf8");
    connection.setTimeout(5_000, () => connection.destroy(new Error(`HAProxy did not answer "${command}"`)));
    connection.on("connect", () => connection.end(`${command}\n`));
    connection.on("data", (chunk: string) => (answer += chunk));
    connection.on("end", () => resolve(answer));
    connection.on("error", reject);
  });
}

/** Debian's HAProxy (`.ci/run` installs it when absent). */
export function findHaproxy(): string {
  for (const candidate of ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  const which = spawnSync("sh", ["-c", "command -v haproxy"], { encoding: "utf8" });
  const found = which.stdout.trim();
  if (which.status === 0 && found) return found;
  throw new Error("HAProxy is not installed (Debian: apt-get install haproxy)");
}
