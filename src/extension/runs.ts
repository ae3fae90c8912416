/**
 * Run folders (.dataset-lab/runs/<id>/ with results.json and history.jsonl, issue 3): listing
 * and reading them for the Results view. The files are small JSON written by the trainer.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { historyPoints, type CurvePoint, type PastRun, type RunResults } from '../protocol/dashboard';

export { epochPoints } from '../protocol/dashboard';

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

export async function readRun(dir: string): Promise<{ results: RunResults | undefined; points: CurvePoint[]; settings: unknown }> {
  let results: RunResults | undefined;
  const resultsPath = join(dir, 'results.json');
  if (existsSync(resultsPath)) results = JSON.parse(await readFile(resultsPath, 'utf8')) as RunResults;
  const historyPath = join(dir, 'history.jsonl');
  const points: CurvePoint[] = existsSync(historyPath) ? historyPoints(await readFile(historyPath, 'utf8')) : [];
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
