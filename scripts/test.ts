// `npm test`: every layer in order (lint, types, unit, integration, browser, cluster), stopping at
// the first failing layer, and a closing line that counts the layers.
import { spawnSync } from "node:child_process";

const layers: [name: string, command: string, args: string[]][] = [
  ["lint", "npm", ["run", "--silent", "lint"]],
  ["typecheck", "npm", ["run", "--silent", "typecheck"]],
  ["unit", "npm", ["run", "--silent", "test:unit"]],
  ["integration", "npm", ["run", "--silent", "test:integration"]],
  ["e2e", "npm", ["run", "--silent", "test:e2e"]],
  // Three instances behind HAProxy, and faults under load on a PostgreSQL and Redis of its own.
  ["cluster", "npm", ["run", "--silent", "test:cluster"]],
];

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const [name, command, args] of layers) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: "inherit" });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status === 0) {
    passed++;
    console.log(`=== ${name}: passed in ${seconds} s ===`);
  } else {
    failed++;
    console.log(`=== ${name}: FAILED in ${seconds} s ===`);
    break;
  }
}
console.log(`\nlayers: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
