// Prints one closing line for the whole test run from the runners' JSON
// reports: `tests: N passed, N failed, N skipped`.
const fs = require('node:fs');

const read = file =>
  fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
let passed = 0;
let failed = 0;
let skipped = 0;

const jest = read('.cache/jest-results.json');
if (jest) {
  passed += jest.numPassedTests;
  failed += jest.numFailedTests;
  skipped += jest.numPendingTests + jest.numTodoTests;
}
for (const file of [
  '.cache/playwright-results.json',
  '.cache/playwright-production-results.json',
]) {
  const playwright = read(file);
  if (!playwright) continue;
  passed += playwright.stats.expected + playwright.stats.flaky;
  failed += playwright.stats.unexpected;
  skipped += playwright.stats.skipped;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
