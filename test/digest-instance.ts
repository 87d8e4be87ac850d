// One Keyward instance's digest tick, as its own OS process: `node test/digest-instance.ts <now ISO>
// <start at, epoch ms>`. The weekly digest's test starts two at once against the same database and
// mail server (the environment it passes) to prove that two instances send one digest. Plain
// type-strippable TypeScript: it runs under `node` alone, as scripts/server.js loads lib/.
import { closeDb } from "../lib/db/client.ts";
import { sendWeeklyDigest } from "../lib/notifications/weekly-digest.ts";

const [now = "", startAt = "0"] = process.argv.slice(2);
// Both processes load first, then start together: the race is between the ticks, not the imports.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
try {
  const result = await sendWeeklyDigest(new Date(now));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await closeDb();
}
