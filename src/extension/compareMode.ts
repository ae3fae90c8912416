/**
 * Whether Compare Datasets reads the files in bounded memory (the CLI's `--stream`), decided
 * before the CLI runs so the dashboard knows which document to expect. With the setting
 * `datasetLab.compare.streamAboveMB` unset it is the CLI's own rule (src/core/stream/streamRule.ts:
 * the in-memory ingest peaks at about 2.4 x the files' size, allowed up to half the RAM and at
 * most 4 GiB); set, files above that many MB in total are streamed. Only CSV/TSV, JSON Lines and
 * Parquet files can be streamed: others (Arrow IPC) are read in memory, with a note saying why.
 * Pure (no vscode), so a unit test holds it to the CLI's rule.
 */
import { basename } from 'node:path';
import { canStream, defaultMemoryLimit, INGEST_PEAK_FACTOR } from '../core/stream/streamRule';

/** The CLI's default: files whose in-memory read would need more than min(4 GiB, RAM / 2). */
export function defaultStreamAboveBytes(totalMemoryBytes: number): number {
  return defaultMemoryLimit(totalMemoryBytes) / INGEST_PEAK_FACTOR;
}

export interface CompareMode {
  readonly stream: boolean;
  /** Why streaming was chosen, or why it was not although the files are large. */
  readonly reason?: string;
}

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 ** 2 ? 1 : 0)} MB`;

/**
 * `files` with their sizes in bytes; `streamAboveMB` the setting (undefined or null: the CLI's
 * rule); `totalMemoryBytes` the machine's RAM (os.totalmem()).
 */
export function compareMode(files: readonly { readonly path: string; readonly bytes: number }[], streamAboveMB: number | null | undefined, totalMemoryBytes: number): CompareMode {
  const total = files.reduce((s, f) => s + f.bytes, 0);
  const set = typeof streamAboveMB === 'number' && Number.isFinite(streamAboveMB) && streamAboveMB >= 0;
  const limit = set ? streamAboveMB * 1024 ** 2 : defaultStreamAboveBytes(totalMemoryBytes);
  if (!(total > limit)) return { stream: false };
  const rule = set ? `datasetLab.compare.streamAboveMB is ${streamAboveMB}` : `reading them in memory would need about ${mb(total * INGEST_PEAK_FACTOR)}, over half the RAM (at most 4 GiB)`;
  const notStreamable = files.find((f) => !canStream(f.path));
  if (notStreamable) return { stream: false, reason: `the files total ${mb(total)} (${rule}), but ${basename(notStreamable.path)} is not CSV/TSV, JSON Lines or Parquet, which the streaming mode needs: comparing in memory` };
  return { stream: true, reason: `the files total ${mb(total)} (${rule}): reading them in bounded memory (streaming mode)` };
}
