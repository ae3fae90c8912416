/**
 * When a comparison reads its files in bounded memory: the one rule the CLI (src/cli/stream.ts
 * streamDecision) and the editor (src/extension/compareMode.ts) both apply. Pure.
 */
import { tableFormatOf, type TableFormat } from '../readers/formats';

/** The in-memory ingest peaks at about this many times the file size (bench/RESULTS.md). */
export const INGEST_PEAK_FACTOR = 2.4;

/** The formats read in bounded chunks (line chunks, row groups; Arrow IPC is not: docs/scaling.md). */
export const STREAM_FORMATS: readonly TableFormat[] = ['csv', 'jsonl', 'parquet'];

/** Whether the streaming mode can read `path` (by its format). */
export function canStream(path: string): boolean {
  return STREAM_FORMATS.includes(tableFormatOf(path));
}

/** The memory the in-memory path may use by default: half the RAM, at most 4 GiB. */
export function defaultMemoryLimit(totalMemoryBytes: number): number {
  return Math.min(4 * 1024 ** 3, totalMemoryBytes / 2);
}
