/** Open Run... and Open Dashboard: past runs from the workspace's run folders (../runs.ts). */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { DashboardResults, TrainingStatus } from '../../protocol/dashboard';
import { runName } from '../../protocol/format';
import { describeRunStatus, lastEpochStatus } from '../../protocol/runFolder/read';
import { CommandIds } from '../commandIds';
import type { Ctx } from '../ctx';
import { listRuns, readRun, runDescription } from '../runs';

export function registerRunCommands(ctx: Ctx): void {
  ctx.registerCommand(CommandIds.openRun, (a) => openRun(ctx, a));
  ctx.registerCommand(CommandIds.openDashboard, () => openDashboard(ctx));
}

export async function openDashboard(ctx: Ctx): Promise<void> {
  ctx.dashboard.show();
  ctx.dashboard.setRuns(await listRuns());
}

/** A run folder (URI or path) or run id; without one, a picker of the workspace's runs. */
export async function openRun(ctx: Ctx, a?: unknown): Promise<DashboardResults | undefined> {
  let dir: string | undefined;
  if (a instanceof vscode.Uri) dir = a.fsPath;
  else if (typeof a === 'string') dir = a;
  const runs = await listRuns();
  if (!dir) {
    if (!runs.length) {
      void vscode.window.showInformationMessage('Dataset Lab: no runs yet in .dataset-lab/runs/. Run an experiment first.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      runs.map((r) => ({ label: runName(r), description: [runDescription(r), r.runId].filter(Boolean).join(' '), detail: r.dir, dir: r.dir })),
      { title: 'Open Run' },
    );
    if (!pick) return undefined;
    dir = pick.dir;
  } else {
    const byId = runs.find((r) => r.runId === dir);
    if (byId) dir = byId.dir;
  }
  const { results, points, status: runStatus, settings, lastEpoch } = await readRun(dir);
  ctx.dashboard.setRuns(runs);
  if (!results) {
    void vscode.window.showWarningMessage(`Dataset Lab: ${dir} has no results: ${describeRunStatus(runStatus)}.`);
    return undefined;
  }
  const models = [...new Set(points.map((p) => p.arm))];
  const paths = ((settings as { datasets?: { path?: unknown }[] } | undefined)?.datasets ?? []).map((d) => d?.path).filter((p): p is string => typeof p === 'string');
  const status: TrainingStatus = {
    runId: results.runId,
    name: basename(dir),
    ...(results.experiment ? { experiment: results.experiment } : {}),
    ...(results.startedAt ? { startedAt: results.startedAt } : {}),
    ...(paths.length ? { datasets: paths } : {}),
    state: 'completed',
    arms: models,
    // The status line as the live one ended: the last epoch record's model, epoch and throughput.
    ...lastEpochStatus(lastEpoch, settings),
  };
  ctx.dashboard.showResults(results, points, status);
  return results;
}
