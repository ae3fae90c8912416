/** What the dashboard's buttons do: each request of the webview runs the command behind it. */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { DashboardRequestHandlers } from '../dashboard';
import { compareRun } from './compare';
import { useMapping } from './mapping';
import { openRun } from './runs';
import { scaffoldFromLastCompare } from './scaffold';
import { runExperiment, stopTraining } from './training';

export function dashboardRequests(ctx: Ctx): DashboardRequestHandlers {
  return {
    scaffold: async (kind) => {
      const uri = await scaffoldFromLastCompare(ctx, kind);
      return uri ? vscode.workspace.asRelativePath(uri) : null;
    },
    stopTraining: () => stopTraining(ctx),
    openRun: async (runId) => (await openRun(ctx, runId)) !== undefined,
    runExperiment: async () => (await runExperiment(ctx))?.state ?? null,
    useMapping: (file, step) => useMapping(file, step),
    compareRun: (runId) => compareRun(ctx, runId),
  };
}
