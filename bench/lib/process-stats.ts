import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** Resident memory now and at its peak (VmRSS, VmHWM), in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** The web server under the launcher: the child process of `npm start`'s launcher that runs server.js. */
export function webServerPid(launcherPid: number): number {
  const out = execFileSync("ps", ["-eo", "pid,ppid,args"], { encoding: "utf8" });
  for (const line of out.split("\n")) {
    const [pid, ppid, ...args] = line.trim().split(/\s+/);
    if (Number(ppid) === launcherPid && args.join(" ").includes("server.js")) return Number(pid);
  }
  throw new Error("the web server process was not found");
}

export const CORES = os.cpus().length;
