// `npm run audit:prune`: applies the audit retention setting now (for a daily cron job); `npm start`
// also applies it at every start. Prints how many events went behind a signed checkpoint.
import os from "node:os";

import { pruneAuditEvents } from "../lib/audit/prune-events.ts";
import { SYSTEM_CONTEXT } from "../lib/auth/principal.ts";
import { ConfigError } from "../lib/config/env.ts";
import { withDatabase } from "./lib/with-database.ts";

async function main(): Promise<number> {
  return withDatabase(async () => {
    const result = await pruneAuditEvents({
      actor: { kind: "system", display: `cli:${os.userInfo().username}` },
      context: SYSTEM_CONTEXT,
    });
    console.log(
      result.pruned === 0
        ? "Nothing to prune (retention is off, or no event is old enough)."
        : `Pruned ${result.pruned} events behind checkpoint ${result.checkpointId}.`,
    );
    return 0;
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `audit:prune failed: ${String(error)}`);
    process.exit(2);
  },
);
