import fs from "node:fs";
import path from "node:path";

import type { ServerAction } from "../lib/http/action.ts";

/** Every server action of the app, by file and export, for the tests that walk all of them. */
export type NamedAction = { name: string; action: ServerAction<unknown> };

const APP = path.join(import.meta.dirname, "..", "app");

function actionFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return actionFiles(full);
    // "actions.ts", or "<area>-actions.ts" beside a page that has several kinds (resource-server-actions.ts).
    return entry.name === "actions.ts" || entry.name.endsWith("-actions.ts") ? [full] : [];
  });
}

/** Named "(app)/users/actions.ts#inviteAction": the path under app/ and the export. */
export async function allServerActions(): Promise<NamedAction[]> {
  const found: NamedAction[] = [];
  for (const file of actionFiles(APP).sort()) {
    const exports = (await import(file)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === "function" && "run" in value) {
        found.push({ name: `${path.relative(APP, file)}#${name}`, action: value as ServerAction<unknown> });
      }
    }
  }
  return found;
}
