/**
 * Run folders (.dataset-lab/runs/<id>/ with results.json and history.jsonl, issue 3): listing
 * and reading them for the Results view. The files are small JSON written by the trainer.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CurvePoint, PastRun, RunResults } from '../protocol/dashboard';

export function runsRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => join(f.uri.fsPath, '.dataset-lab', 'runs'));
}

export async function listRuns(): Promise<PastRun[]> {
  const out: PastRun[] = [];
  for (const root of runsRoots()) {
    if (!existsSync(root)) continue;
    for (const id of await readdir(root)) {
      const dir = join(root, id);
      const st = await stat(dir).catch(() => undefined);
      if (!st?.isDirectory()) continue;
      const hasResults = existsSync(join(dir, 'results.json'));
      out.push({ runId: id, dir, createdAt: st.mtime.toISOString(), hasResults });
    }
  }
  return out.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

/** One line of history.jsonl, as the trainer writes it (EpochRecord of src/protocol/training). */
interface HistoryLine {
  readonly arm?: string;
  readonly model?: string;
  readonly epoch?: number;
  readonly trainLoss?: number | null;
  readonly valLoss?: number | null;
  readonly heads?: Readonly<Record<string, { readonly trainLoss?: number | null; readonly valLoss?: number | null }>>;
  readonly sources?: Readonly<Record<string, { readonly metric?: string; readonly value?: number | null }>>;
}

/** Curve points of one epoch record: loss and val_loss per arm, per head and per source metric. */
export function epochPoints(r: HistoryLine): CurvePoint[] {
  const pts: CurvePoint[] = [];
  const arm = r.model && r.model !== r.arm ? r.model : (r.arm ?? 'model');
  const step = r.epoch ?? 0;
  const add = (metric: string, v: number | null | undefined) => {
    if (typeof v === 'number' && Number.isFinite(v)) pts.push({ arm, metric, step, value: v });
  };
  add('loss', r.trainLoss);
  add('val_loss', r.valLoss);
  if (r.heads && Object.keys(r.heads).length > 1) {
    for (const [head, h] of Object.entries(r.heads)) {
      add(`loss/${head}`, h.trainLoss);
      add(`val_loss/${head}`, h.valLoss);
    }
  }
  for (const [source, s] of Object.entries(r.sources ?? {})) add(`val_${s.metric ?? 'metric'}/${source}`, s.value);
  return pts;
}

export async function readRun(dir: string): Promise<{ results: RunResults | undefined; points: CurvePoint[]; settings: unknown }> {
  let results: RunResults | undefined;
  const resultsPath = join(dir, 'results.json');
  if (existsSync(resultsPath)) results = JSON.parse(await readFile(resultsPath, 'utf8')) as RunResults;
  const points: CurvePoint[] = [];
  const historyPath = join(dir, 'history.jsonl');
  if (existsSync(historyPath)) {
    for (const line of (await readFile(historyPath, 'utf8')).split('\n')) {
      if (!line.trim()) continue;
      try {
        points.push(...epochPoints(JSON.parse(line) as HistoryLine));
      } catch {
        /* a partial last line of a crashed run */
      }
    }
  }
  let settings: unknown;
  for (const name of ['experiment.json', 'experiment.resolved.json', 'resolved-experiment.json']) {
    const p = join(dir, name);
    if (existsSync(p)) {
      settings = JSON.parse(await readFile(p, 'utf8'));
      break;
    }
  }
  if (results && settings !== undefined) results = { ...results, settings };
  return { results, points, settings };
}
