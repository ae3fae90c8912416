/**
 * Run folders (.dataset-lab/runs/<id>/ with results.json, history.jsonl and status.json) of the
 * open workspace folders, for the Results view and *Open Run...*. The reading itself, state
 * included (an `interrupted` run's process is gone), is src/training/runFolder.ts, shared
 * with the CLI's `report`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CurvePoint, DashboardResults, HistoryLine, PastRun } from '../protocol/dashboard';
import { RUN_FILES, RUNS_FOLDER, type RunStatus } from '../protocol/runFolder/contract';
import { listRunFolders, readRunFolder } from '../protocol/runFolder/read';

export { epochPoints } from '../protocol/dashboard';

export function runsRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => join(f.uri.fsPath, ...RUNS_FOLDER));
}

export async function listRuns(): Promise<PastRun[]> {
  const all = (await Promise.all(runsRoots().map((root) => listRunFolders(root)))).flat();
  // Runs are shown by their experiment's name and start time, not their folder id.
  const named = await Promise.all(all.map(async (r) => ({ ...r, ...(await experimentInfo(r.dir, r.name)) })));
  return named.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

/** The experiment's name (unless the run has one) and arms from a run folder's experiment.json; nothing when unreadable. */
async function experimentInfo(dir: string, known: string | undefined): Promise<{ name?: string; arms?: string[] }> {
  try {
    const exp = JSON.parse(await readFile(join(dir, RUN_FILES.experiment), 'utf8')) as { name?: unknown; arms?: unknown };
    const arms = Array.isArray(exp.arms) ? exp.arms.filter((a): a is string => typeof a === 'string') : [];
    return { ...(!known && typeof exp.name === 'string' && exp.name ? { name: exp.name } : {}), ...(arms.length ? { arms } : {}) };
  } catch {
    return {};
  }
}

/** The picker's description of a run: its state when it did not complete. */
export function runDescription(run: PastRun): string {
  if (run.state === 'running') return '(running)';
  if (!run.state || run.state === 'completed') return run.hasResults ? '' : '(no results)';
  return `(${run.state}${run.reason ? `: ${run.reason}` : ''})`;
}

export async function readRun(dir: string): Promise<{ results: DashboardResults | undefined; points: CurvePoint[]; settings: unknown; status: RunStatus; lastEpoch?: HistoryLine }> {
  const { results, points, settings, status, lastEpoch } = await readRunFolder(dir);
  const rest = { points, settings, status, ...(lastEpoch ? { lastEpoch } : {}) };
  // A run of an exported PyTorch project: intervals and paired tests from its predictions.json
  // (when they cannot be computed, its scores are shown without them, and a warning says why).
  // Loaded only then: the evaluation code is not needed for runs of `dataset-lab run`.
  if (!results || results.evaluation || !existsSync(join(dir, RUN_FILES.predictions))) return { results, ...rest };
  const { RunEvidenceError, withRunEvidence } = await import('../training/export/torch/runEvidence');
  try {
    return { results: withRunEvidence(dir, results, settings), ...rest };
  } catch (e) {
    if (!(e instanceof RunEvidenceError)) throw e;
    void vscode.window.showWarningMessage(`Dataset Lab: no intervals or paired tests for this run: ${e.message}`);
    return { results, ...rest };
  }
}
