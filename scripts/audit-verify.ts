// `npm run audit:verify`: recomputes the audit log's hash chain and names the first edited, deleted
// or reordered event. Exit code 0 when intact, 1 when not (for cron jobs and monitoring).
import { ConfigError } from "../lib/config/env.ts";
import { verifyAuditChain } from "../lib/audit/verify-chain.ts";
import { db } from "../lib/db/client.ts";
import { withDatabase } from "./lib/with-database.ts";

async function main(): Promise<number> {
  return withDatabase(async () => {
    const result = await verifyAuditChain(db);
    if (result.ok) {
      console.log(`The audit chain is intact: ${result.checked} events checked.`);
      return 0;
    }
    console.error(
      `The audit chain is broken at event ${result.firstBadId.toString()}: ${result.reason}. ` +
        `${result.checked} events before it are intact.`,
    );
    return 1;
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `audit:verify failed: ${String(error)}`);
    process.exit(2);
  },
);
