// In-process side of bench/read_formats.mjs: times readTable (the one reader dispatch every
// command uses) on one file after the bundle has loaded, and reports wall and CPU time, and the
// table's shape with a digest of every column's values (the bench checks all formats agree).
// Usage (bundled by bench/read_formats.mjs): node read-entry.js FILE
import { readTable } from '../src/core/readers/readTable';
import type { DataTable } from '../src/core/table';
import { zstdDecoderName } from '../src/core/readers/zstd';

/** The values, summed in row order: numbers (to 9 significant digits) or cell lengths weighted by row. */
function digest(c: DataTable['columns'][number]): string {
  let sum = 0;
  if (c.type === 'numeric' || c.type === 'datetime') {
    for (const v of c.values) if (!Number.isNaN(v)) sum += v;
  } else {
    const lengths = c.dictionary.map((d) => d.length);
    for (let i = 0; i < c.codes.length; i++) if (c.codes[i] >= 0) sum += lengths[c.codes[i]] * ((i % 7) + 1);
  }
  return sum.toPrecision(9);
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: node read-entry.js FILE');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const table = await readTable(file);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ rows: table.rows, columns: table.columns.map((c) => `${c.name}:${c.type}:${c.missing}:${digest(c)}`) })}\n`);
  process.stderr.write(`read_s=${seconds}\ncpu_s=${(cpu.user + cpu.system) / 1e6}\nzstd_decoder=${zstdDecoderName()}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
