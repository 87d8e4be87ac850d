// `npm run audit:verify [-- --expect-head <id:hash>]`: recomputes the audit log's hash chain, checks
// every signed head checkpoint, and names every edited, deleted or reordered event. It prints the
// current head as `id:hash`: keep that elsewhere (a log, monitoring) and pass it back with
// --expect-head to catch the newest events being dropped. Exit code 0 when intact, 1 when not.
// `--adopt-existing`, once after upgrading from a version without head checkpoints, signs the
// current head as the point before which none are required.
import { parseArgs } from "node:util";

import { ConfigError } from "../lib/config/env.ts";
import { adoptExistingChain } from "../lib/audit/head-checkpoints.ts";
import { formatHead, parseHead, verifyAuditChain } from "../lib/audit/verify-chain.ts";
import { db } from "../lib/db/client.ts";
import { withDatabase } from "./lib/with-database.ts";

const USAGE = "Usage: npm run audit:verify [-- --expect-head <id:hash>] [--adopt-existing]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { "expect-head": { type: "string" }, "adopt-existing": { type: "boolean" } },
  });
  const expectText = values["expect-head"];
  const expectHead = expectText === undefined ? undefined : parseHead(expectText);
  if (expectHead === null) {
    console.error(`--expect-head takes the head as audit:verify prints it (id:hash).\n${USAGE}`);
    return 2;
  }
  return withDatabase(async () => {
    if (values["adopt-existing"]) {
      const adopted = await adoptExistingChain(db);
      console.log(`Signed ${formatHead(adopted)} as the start of head checkpoints: adopted.`);
    }
    const result = await verifyAuditChain(db, { expectHead });
    for (const note of result.notes) console.log(note);
    const against = `${result.checkpoints} signed checkpoint(s)${expectHead ? " and the expected head" : ""}`;
    if (result.ok) {
      console.log(
        `The audit chain is intact: ${result.checked} events checked. It passes through ${against}.`,
      );
    } else {
      for (const problem of result.problems) {
        console.error(`Event ${problem.id.toString()}: ${problem.reason}.`);
      }
      const more = result.problemCount - result.problems.length;
      if (more > 0) console.error(`… and ${more} more.`);
      console.error(
        `The audit chain is broken: ${result.problemCount} problem(s) in ${result.checked} events checked, against ${against}.`,
      );
    }
    // Printed either way, on its own line, for export.
    console.log(`Head: ${result.head ? formatHead(result.head) : "none (the log is empty)"}`);
    return result.ok ? 0 : 1;
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `audit:verify failed: ${String(error)}`);
    process.exit(2);
  },
);
