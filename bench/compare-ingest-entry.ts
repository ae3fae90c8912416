// Whole-process baseline for the compare benchmark: only read the given CSV files (what
// `compare` must do before comparing), with the CLI's reader; reports the in-process read time
// on stderr as inprocess_s=. Bundled by bench/compare.mjs with dist/cli.js's options.
import { readCsvFile } from '../src/core/ingest';

async function main(): Promise<void> {
  const t0 = performance.now();
  let rows = 0;
  for (const file of process.argv.slice(2)) rows += (await readCsvFile(file)).rows;
  process.stderr.write(`inprocess_s=${(performance.now() - t0) / 1000}\n`);
  process.stdout.write(`${rows}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
