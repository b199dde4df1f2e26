#!/usr/bin/env node
// Sums the jest JSON reports of every tier into one closing line: "N passed, N failed".
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
let passed = 0,
  failed = 0,
  skipped = 0;
for (const file of fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  console.log(
    `${path.basename(file, '.json').padEnd(5)} ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`,
  );
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
