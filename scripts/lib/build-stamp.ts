import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** Everything that changes what `next build` produces. */
const INPUTS = [
  "app",
  "components",
  "lib",
  "public",
  "next.config.js",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
];
const STAMP = path.join(".next", "KEYWARD_BUILD_STAMP");

function* files(entry: string): Generator<string> {
  if (!fs.existsSync(entry)) return;
  const stat = fs.statSync(entry);
  if (stat.isFile()) {
    yield entry;
    return;
  }
  for (const child of fs.readdirSync(entry).sort()) {
    if (/\.test\.tsx?$/.test(child)) continue;
    yield* files(path.join(entry, child));
  }
}

export function sourceHash(root = process.cwd()): string {
  const hash = createHash("sha256");
  for (const input of INPUTS) {
    for (const file of files(path.join(root, input))) {
      hash.update(path.relative(root, file)).update("\0").update(fs.readFileSync(file)).update("\0");
    }
  }
  return hash.digest("hex");
}

export function buildIsCurrent(root = process.cwd()): boolean {
  const stamp = path.join(root, STAMP);
  return (
    fs.existsSync(path.join(root, ".next", "BUILD_ID")) &&
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, "utf8") === sourceHash(root)
  );
}

export function writeBuildStamp(root = process.cwd()): void {
  fs.writeFileSync(path.join(root, STAMP), sourceHash(root));
}

const BUILD_LOCK = ".keyward-build.lock";

/**
 * Holds the project folder's build lock while `work` runs. The database's start-up lock serialises
 * instances of one installation; this one serialises every process building this folder, whatever
 * database it uses (a developer's `npm start` beside a test run): `next build` refuses to run
 * twice at once, and a second build would replace files the first instance is serving. A lock left
 * by a process that died is taken over.
 */
export async function withBuildLock<T>(work: () => Promise<T> | T, root = process.cwd()): Promise<T> {
  const file = path.join(root, BUILD_LOCK);
  let told = false;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(fs.readFileSync(file, "utf8").trim());
      if (!Number.isInteger(owner) || owner <= 0 || !alive(owner)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (!told)
        console.log(`[keyward] Another process (pid ${owner}) is building the web app: waiting for it.`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
