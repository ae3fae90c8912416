/**
 * Dataset Lab extension entry, in VS Code's extension host process. activate() creates the
 * context (ctx.ts: output, diagnostics, dashboard, training session, language client) and
 * registers the commands, the CodeLens and the dashboard's restore; deactivate() disposes it.
 * Nothing heavy runs in this process: comparing and profiling run the CLI (dist/cli.js) in a
 * child process, training runs dist/trainer.js in another, the language server (dist/server.js)
 * is a third, started after activation returns, and the dashboard is a webview. No data is read
 * and TensorFlow.js is never loaded here.
 */
const moduleLoadStart = performance.now();

import * as vscode from 'vscode';
import type { ComparisonReport } from '../protocol/dashboard';
import { ExperimentCodeLens } from './codeLens';
import { registerCompareCommands } from './commands/compare';
import { dashboardRequests } from './commands/dashboardRequests';
import { registerExampleCommands } from './commands/example';
import { registerMappingCommands } from './commands/mapping';
import { registerRunCommands } from './commands/runs';
import { registerScaffoldCommands } from './commands/scaffold';
import { registerSettingsCommands } from './commands/settings';
import { registerTrainingCommands } from './commands/training';
import { Ctx } from './ctx';
import type { DashboardController } from './dashboard';
import type { InputProblems } from './inputProblems';
import type { TrainingManager } from './training';

/** What activate() returns: used by the integration tests, and by other extensions. */
export interface DatasetLabApi {
  /** Milliseconds spent in activate(). */
  readonly activationMs: number;
  /** Milliseconds evaluating this module's own top level (bundled dependencies load lazily). */
  readonly moduleEvalMs: number;
  /** Cumulative milliseconds at each activation step, for diagnosing a slow activation. */
  readonly activationMarks: readonly (readonly [string, number])[];
  readonly dashboard: DashboardController;
  readonly commands: { readonly lastReport: ComparisonReport | undefined };
  readonly training: TrainingManager;
  readonly problems: InputProblems;
  /** Resolves once the language client has started (or immediately when there is no server). */
  readonly languageClientReady: Promise<boolean>;
}

const moduleEvalEnd = performance.now();

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): DatasetLabApi {
  const activateStart = performance.now();
  const marks: [string, number][] = [];
  const mark = (name: string) => marks.push([name, performance.now() - activateStart]);
  const c = new Ctx(context, dashboardRequests);
  ctx = c;
  mark('context');
  registerCompareCommands(c);
  registerScaffoldCommands(c);
  registerTrainingCommands(c);
  registerRunCommands(c);
  registerExampleCommands(c);
  registerSettingsCommands(c);
  registerMappingCommands(c);
  c.push(vscode.languages.registerCodeLensProvider({ pattern: '**/*.experiment.json' }, new ExperimentCodeLens()));
  mark('commands');
  // After activation returns, so the client's bundle never counts toward activation time.
  const languageClientReady = new Promise<boolean>((resolve) => setTimeout(() => resolve(c.startLanguageClient()), 0));
  mark('end');
  return {
    activationMarks: marks,
    activationMs: performance.now() - activateStart,
    moduleEvalMs: moduleEvalEnd - moduleLoadStart,
    dashboard: c.dashboard,
    commands: {
      get lastReport() {
        return c.lastReport;
      },
    },
    training: c.training,
    problems: c.problems,
    languageClientReady,
  };
}

export async function deactivate(): Promise<void> {
  const c = ctx;
  ctx = undefined;
  await c?.dispose();
}
