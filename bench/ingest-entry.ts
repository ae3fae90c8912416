// Whole-process benchmark entry: read + profile one CSV file and print the profile as JSON,
// the same work `dataset-lab profile FILE --json` does. Bundled by bench/ingest.mjs.
import { readCsvFile } from '../src/core/ingest';
import { profileTable } from '../src/core/profile';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: node ingest-entry.js FILE');
  const table = await readCsvFile(file);
  const profile = profileTable(table);
  process.stdout.write(JSON.stringify(profile));
  process.stdout.write('\n');
  // Peak resident set size in KiB, for bench/ingest.mjs.
  if (process.env.BENCH_REPORT_RSS === '1') process.stderr.write(`maxrss_kb=${process.resourceUsage().maxRSS}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
