// In-process side of bench/read_formats.mjs: times readTable (the one reader dispatch every
// command uses) on one file after the bundle has loaded, and reports wall and CPU time.
// Usage (bundled by bench/read_formats.mjs): node read-entry.js FILE
import { readTable } from '../src/core/readers/readTable';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: node read-entry.js FILE');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const table = await readTable(file);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ rows: table.rows, columns: table.columns.map((c) => `${c.name}:${c.type}:${c.missing}`) })}\n`);
  process.stderr.write(`read_s=${seconds}\ncpu_s=${(cpu.user + cpu.system) / 1e6}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
