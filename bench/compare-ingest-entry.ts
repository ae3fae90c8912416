// Whole-process baseline for the compare benchmark: only read the given CSV files (what
// `compare` must do before comparing). Bundled by bench/compare.mjs.
import { readCsvFile } from '../src/core/ingest';

async function main(): Promise<void> {
  let rows = 0;
  for (const file of process.argv.slice(2)) rows += (await readCsvFile(file)).rows;
  process.stdout.write(`${rows}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
