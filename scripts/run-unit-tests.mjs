// Runs every bundled unit test (out/test/unit/**/*.test.js) with node's own test runner.
// Usage: node scripts/run-unit-tests.mjs [substring filter...]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir, acc = []) {
  if (!existsSync(dir)) return acc;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, acc);
    else if (p.endsWith('.test.js')) acc.push(p);
  }
  return acc;
}

const filters = process.argv.slice(2);
const files = walk('out/test/unit')
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no unit tests found under out/test/unit (run npm run build:tests first)');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
