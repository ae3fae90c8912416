/**
 * The "Dataset Lab" commands. Each takes an optional argument object so tests and other
 * extensions can run it without the pickers; from the explorer it receives the clicked URI and
 * the multi-selection.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';
import type { ComparisonReport, DashboardRequest, TrainingStatus } from '../protocol/dashboard';
import { runCli } from './cliRunner';
import type { DashboardController } from './dashboard';
import { cliErrorMessage, parseCliProblems, type InputProblems } from './inputProblems';
import { explorerSelection, pickCsvFiles, pickLabels } from './pickers';
import { describeRunStatus } from '../training/runFolder';
import { listRuns, readRun, runDescription } from './runs';
import { readExperimentSettings, type TrainingManager } from './training';

export interface CompareArgs {
  readonly files?: readonly vscode.Uri[];
  /** One label per file ('' = none), or one shared label. */
  readonly labels?: readonly string[];
}

export interface ScaffoldArgs extends CompareArgs {
  readonly output?: vscode.Uri;
  /** Overwrite an existing file without asking (tests); otherwise a modal dialog asks. */
  readonly overwrite?: boolean;
  readonly open?: boolean;
}

export interface CommandContext {
  readonly extensionUri: vscode.Uri;
  readonly state: vscode.Memento;
  readonly output: vscode.OutputChannel;
  readonly dashboard: DashboardController;
  readonly problems: InputProblems;
  readonly training: TrainingManager;
}

interface LastCompare {
  readonly files: string[];
  readonly labels: string[];
}

const LAST_COMPARE = 'datasetLab.lastCompare';
const CSV_EXT = new Set(['.csv', '.tsv']);

async function pickCsvFilesExcept(uri: vscode.Uri): Promise<vscode.Uri[]> {
  const { workspaceCsvFiles } = await import('./pickers');
  return (await workspaceCsvFiles()).filter((u) => u.toString() !== uri.toString());
}

function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function isCsv(u: vscode.Uri): boolean {
  return CSV_EXT.has(extname(u.fsPath).toLowerCase());
}

/** CLI label arguments: one shared --label, or --labels per file. */
function labelArgs(labels: readonly string[], n: number): string[] {
  if (!labels.length) return [];
  if (labels.length === 1) return ['--label', labels[0]];
  if (labels.every((l) => l === labels[0]) && labels[0] !== '') return ['--label', labels[0]];
  if (labels.length !== n) throw new Error(`${labels.length} label(s) given for ${n} file(s)`);
  return ['--labels', labels.join(',')];
}

function ingestArgs(scope?: vscode.Uri): string[] {
  const c = vscode.workspace.getConfiguration('datasetLab', scope);
  const out: string[] = [];
  // Only a value the user set: the CLI's own default is the same list.
  const i = c.inspect<string[]>('missingTokens');
  const missing = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  if (missing && missing.length) out.push('--missing', missing.map((t) => (t === '' ? '""' : t)).join(','));
  return out;
}

function compareThresholdArgs(): string[] {
  const c = vscode.workspace.getConfiguration('datasetLab.compare');
  const out: string[] = [];
  const pairs: [string, string][] = [
    ['pValue', '--p-value'],
    ['smallSampleRows', '--small-sample-rows'],
    ['wassersteinThreshold', '--wasserstein-threshold'],
    ['jensenShannonThreshold', '--js-threshold'],
  ];
  for (const [key, flag] of pairs) {
    const v = c.get<number>(key);
    if (typeof v === 'number') out.push(flag, String(v));
  }
  if (c.get<boolean>('domainClassifier') === false) out.push('--no-domain-classifier');
  return out;
}

/** Show a failed CLI run: located problems become diagnostics, the notification offers Show Problems. */
async function reportCliFailure(ctx: CommandContext, what: string, stderr: string, files: readonly string[]): Promise<void> {
  const problems = parseCliProblems(stderr);
  ctx.problems.set(problems, workspaceRoot() ?? process.cwd(), files);
  const message = cliErrorMessage(stderr, `${what} failed; see the Dataset Lab output.`);
  // Not awaited: the command finishes while the notification waits for the user.
  void ctx.problems.notify(`Dataset Lab: ${what} failed: ${message}`);
}

export class Commands {
  /** The last comparison, for the dashboard's Scaffold button and for tests. */
  lastReport: ComparisonReport | undefined;

  constructor(private readonly ctx: CommandContext) {}

  register(): vscode.Disposable[] {
    const reg = (id: string, fn: (...args: unknown[]) => unknown) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          this.ctx.output.appendLine(`[${id}] ${e instanceof Error && e.stack ? e.stack : msg}`);
          void vscode.window.showErrorMessage(`Dataset Lab: ${msg}`);
          return undefined;
        }
      });
    return [
      reg('datasetLab.compareDatasets', (a, b) => this.compare(a, b)),
      reg('datasetLab.profileDataset', (a) => this.profile(a)),
      reg('datasetLab.newMergeExperiment', (a, b) => this.scaffold('merge', a, b)),
      reg('datasetLab.newMultiHeadExperiment', (a, b) => this.scaffold('multihead', a, b)),
      reg('datasetLab.runExperiment', (a) => this.runExperiment(a)),
      reg('datasetLab.stopTraining', () => this.stopTraining()),
      reg('datasetLab.openDashboard', () => this.openDashboard()),
      reg('datasetLab.openRun', (a) => this.openRun(a)),
      reg('datasetLab.openExample', () => this.openExample()),
      // Called by the language server's CodeLens and quick fixes (docs/diagnostics.md).
      reg('datasetLab.compareWith', (a, b) => this.compareWith(a, b)),
      reg('datasetLab.profile', (a) => this.profile(a)),
      reg('datasetLab.addMissingToken', (a) => this.addMissingToken(a)),
    ];
  }

  private async resolveFiles(a: unknown, b: unknown, min: number, title: string): Promise<{ files: vscode.Uri[]; labels?: string[] } | undefined> {
    if (a && typeof a === 'object' && !(a instanceof vscode.Uri) && 'files' in a) {
      const args = a as CompareArgs;
      return { files: [...(args.files ?? [])], ...(args.labels ? { labels: [...args.labels] } : {}) };
    }
    const selected = explorerSelection(a, b).filter(isCsv);
    if (selected.length >= min) return { files: selected };
    const picked = await pickCsvFiles(this.ctx.state, { min, title });
    return picked ? { files: picked } : undefined;
  }

  async compare(a?: unknown, b?: unknown): Promise<ComparisonReport | undefined> {
    const chosen = await this.resolveFiles(a, b, 2, 'Compare Datasets');
    if (!chosen) return undefined;
    const { files } = chosen;
    const labels =
      chosen.labels ??
      (await pickLabels(this.ctx.state, files, {
        required: false,
        defaultLabel: vscode.workspace.getConfiguration('datasetLab').get<string>('compare.defaultLabel') || undefined,
      }));
    if (labels === undefined) return undefined;
    const paths = files.map((f) => f.fsPath);
    const cwd = workspaceRoot() ?? dirname(paths[0]);
    const args = ['compare', ...paths, '--json', ...labelArgs(labels, paths.length), ...compareThresholdArgs(), ...ingestArgs(files[0])];
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Dataset Lab: comparing datasets', cancellable: true },
      (progress, token) => {
        progress.report({ message: paths.map((p) => basename(p)).join(' vs ') });
        return runCli(this.ctx.extensionUri, args, { cwd, token, output: this.ctx.output });
      },
    );
    if (result.cancelled) {
      void vscode.window.showInformationMessage('Dataset Lab: comparison cancelled.');
      return undefined;
    }
    if (result.code !== 0) {
      await reportCliFailure(this.ctx, 'Compare Datasets', result.stderr, paths);
      return undefined;
    }
    const report = JSON.parse(result.stdout) as ComparisonReport;
    this.lastReport = report;
    await this.ctx.state.update(LAST_COMPARE, { files: files.map((f) => f.toString()), labels } satisfies LastCompare);
    const problems = report.problems.map((p) => ({ file: p.file, line: p.line, column: p.column, message: p.message, code: p.code }));
    this.ctx.problems.set(problems, cwd, paths);
    this.ctx.dashboard.showCompare(report);
    if (problems.length) {
      void this.ctx.problems.notify(`Dataset Lab: the input files have ${problems.length} problem(s); the comparison skipped the bad cells.`, 'warning');
    }
    return report;
  }

  async profile(a?: unknown): Promise<unknown> {
    const chosen = await this.resolveFiles(a, undefined, 1, 'Profile Dataset');
    const file = chosen?.files[0] ?? (a === undefined ? vscode.window.activeTextEditor?.document.uri : undefined);
    if (!file) return undefined;
    const cwd = workspaceRoot() ?? dirname(file.fsPath);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Dataset Lab: profiling ${basename(file.fsPath)}`, cancellable: true },
      (_p, token) => runCli(this.ctx.extensionUri, ['profile', file.fsPath, '--json', ...ingestArgs(file)], { cwd, token, output: this.ctx.output }),
    );
    if (result.cancelled) return undefined;
    if (result.code !== 0) {
      await reportCliFailure(this.ctx, 'Profile Dataset', result.stderr, [file.fsPath]);
      return undefined;
    }
    const profile = JSON.parse(result.stdout) as unknown;
    const problems = parseCliProblems(result.stderr);
    this.ctx.problems.set(problems, cwd, [file.fsPath]);
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(profile, null, 2) });
    await vscode.window.showTextDocument(doc, { preview: true });
    if (problems.length) void this.ctx.problems.notify(`Dataset Lab: ${basename(file.fsPath)} has ${problems.length} problem(s).`, 'warning');
    return profile;
  }

  /** Scaffold an experiment with `dataset-lab init` in a child process. Never overwrites silently. */
  async scaffold(kind: 'merge' | 'multihead', a?: unknown, b?: unknown): Promise<vscode.Uri | undefined> {
    const title = kind === 'merge' ? 'New Merge Experiment' : 'New Multi-Head Experiment';
    const chosen = await this.resolveFiles(a, b, 2, title);
    if (!chosen) return undefined;
    const opts = (a && typeof a === 'object' && 'files' in a ? a : {}) as ScaffoldArgs;
    const labels = chosen.labels ?? (await pickLabels(this.ctx.state, chosen.files, { required: true }));
    if (!labels || !labels.length) return undefined;
    const root = workspaceRoot() ?? dirname(chosen.files[0].fsPath);
    let output = opts.output;
    if (!output) {
      const stem = chosen.files.map((f) => basename(f.fsPath, extname(f.fsPath))).join('-');
      const suggestion = `${stem}.${kind}.experiment.json`;
      const typed = await vscode.window.showInputBox({
        title,
        prompt: 'Experiment file to create (relative to the workspace)',
        value: suggestion,
        validateInput: (v) => (v.trim().endsWith('.experiment.json') ? undefined : 'The name must end in .experiment.json'),
      });
      if (!typed) return undefined;
      output = vscode.Uri.file(join(root, typed.trim()));
    }
    let force = false;
    if (existsSync(output.fsPath)) {
      if (!opts.overwrite) {
        const ok = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(output)} already exists. Overwrite it?`, { modal: true }, 'Overwrite');
        if (ok !== 'Overwrite') return undefined;
      }
      force = true;
    }
    const paths = chosen.files.map((f) => f.fsPath);
    const args = ['init', kind, ...paths, ...labelArgs(labels, paths.length), '-o', output.fsPath, ...(force ? ['--force'] : [])];
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Dataset Lab: ${title}`, cancellable: true },
      (_p, token) => runCli(this.ctx.extensionUri, args, { cwd: root, token, output: this.ctx.output }),
    );
    if (result.cancelled) return undefined;
    if (result.code !== 0) {
      await reportCliFailure(this.ctx, title, result.stderr, paths);
      return undefined;
    }
    if (opts.open !== false) await vscode.window.showTextDocument(output);
    return output;
  }

  private async experimentUri(a: unknown): Promise<vscode.Uri | undefined> {
    if (a instanceof vscode.Uri) return a;
    const active = vscode.window.activeTextEditor?.document;
    if (active && active.uri.fsPath.endsWith('.experiment.json')) {
      if (active.isDirty) await active.save();
      return active.uri;
    }
    const found = await vscode.workspace.findFiles('**/*.experiment.json', '**/node_modules/**', 200);
    if (!found.length) {
      void vscode.window.showWarningMessage('Dataset Lab: no *.experiment.json file in the workspace. Create one with "New Merge Experiment..." or "New Multi-Head Experiment...".');
      return undefined;
    }
    if (found.length === 1) return found[0];
    const pick = await vscode.window.showQuickPick(
      found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
      { title: 'Run Experiment' },
    );
    return pick?.uri;
  }

  async runExperiment(a?: unknown): Promise<unknown> {
    if (!vscode.workspace.isTrusted) {
      const manage = 'Manage Workspace Trust';
      // Not awaited: the command returns while the notification waits for the user.
      void vscode.window
        .showWarningMessage(
          'Dataset Lab: training is disabled in Restricted Mode, because it runs the training engine and writes models in this workspace. Comparing datasets and diagnostics still work. Trust the workspace to train.',
          manage,
        )
        .then((pick) => (pick === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
      return { state: 'restricted' };
    }
    const uri = await this.experimentUri(a);
    if (!uri) return undefined;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty) await doc.save();
    if (this.ctx.training.running) {
      void vscode.window.showWarningMessage('Dataset Lab: a training run is already in progress. Stop it first.');
      return undefined;
    }
    this.ctx.dashboard.show('training');
    const outcome = await this.ctx.training.run(uri);
    if (outcome.state === 'completed' && outcome.results) {
      const settings = await readExperimentSettings(uri);
      this.ctx.dashboard.showResults({ ...outcome.results, ...(settings !== undefined ? { settings } : {}) });
      void vscode.window.showInformationMessage(`Dataset Lab: training finished (run ${outcome.results.runId}).`);
    } else if (outcome.state === 'failed') {
      const show = 'Show Output';
      void vscode.window.showErrorMessage(`Dataset Lab: training failed: ${outcome.error ?? 'unknown error'}`, show).then((p) => {
        if (p === show) this.ctx.output.show(true);
      });
    } else {
      void vscode.window.showInformationMessage('Dataset Lab: training stopped; the finished epochs are kept in the run folder.');
    }
    return outcome;
  }

  stopTraining(): boolean {
    const stopped = this.ctx.training.stop();
    if (!stopped) void vscode.window.showInformationMessage('Dataset Lab: no training is running.');
    return stopped;
  }

  async openDashboard(): Promise<void> {
    this.ctx.dashboard.show();
    this.ctx.dashboard.setRuns(await listRuns());
  }

  async openRun(a?: unknown): Promise<unknown> {
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
        runs.map((r) => ({ label: r.runId, description: runDescription(r), detail: r.dir, dir: r.dir })),
        { title: 'Open Run' },
      );
      if (!pick) return undefined;
      dir = pick.dir;
    } else {
      const byId = runs.find((r) => r.runId === dir);
      if (byId) dir = byId.dir;
    }
    const { results, points, status: runStatus } = await readRun(dir);
    this.ctx.dashboard.setRuns(runs);
    if (!results) {
      void vscode.window.showWarningMessage(`Dataset Lab: ${dir} has no results: ${describeRunStatus(runStatus)}.`);
      return undefined;
    }
    const models = [...new Set(points.map((p) => p.arm))];
    const status: TrainingStatus = { runId: results.runId, name: basename(dir), state: 'completed', arms: models };
    this.ctx.dashboard.showResults(results, points, status);
    return results;
  }

  /** "Compare with..." CodeLens: the file and its partners (from experiments or matching columns). */
  async compareWith(a: unknown, b: unknown): Promise<ComparisonReport | undefined> {
    const uri = typeof a === 'string' ? vscode.Uri.parse(a) : a instanceof vscode.Uri ? a : undefined;
    if (!uri) return this.compare();
    const partners = (Array.isArray(b) ? b : []).map((p) => (typeof p === 'string' ? vscode.Uri.parse(p) : p)).filter((p): p is vscode.Uri => p instanceof vscode.Uri);
    let partner: vscode.Uri | undefined = partners.length === 1 ? partners[0] : undefined;
    if (!partner) {
      const candidates = partners.length ? partners : (await pickCsvFilesExcept(uri));
      const pick = await vscode.window.showQuickPick(
        candidates.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
        { title: `Compare ${vscode.workspace.asRelativePath(uri)} with...` },
      );
      partner = pick?.uri;
    }
    if (!partner) return undefined;
    const files = [uri, partner];
    const labels = await pickLabels(this.ctx.state, files, { required: false });
    if (labels === undefined) return undefined;
    return this.compare({ files, labels } satisfies CompareArgs);
  }

  /** Quick fix of the language server: treat a value as missing in this workspace. */
  async addMissingToken(a: unknown): Promise<void> {
    const value = typeof a === 'string' ? a : Array.isArray(a) && typeof a[0] === 'string' ? a[0] : undefined;
    if (value === undefined) return;
    const config = vscode.workspace.getConfiguration('datasetLab');
    const current = config.get<string[]>('missingTokens') ?? [];
    if (current.includes(value)) return;
    await config.update('missingTokens', [...current, value], vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
  }

  /** Copies the bundled weather example into the workspace and compares it. */
  async openExample(): Promise<void> {
    const root = workspaceRoot();
    const src = vscode.Uri.joinPath(this.ctx.extensionUri, 'examples', 'weather');
    if (!root) {
      await vscode.commands.executeCommand('vscode.openFolder', src, { forceNewWindow: false });
      return;
    }
    const dest = vscode.Uri.file(join(root, 'dataset-lab-example'));
    for (const name of ['seattle.csv', 'new-york.csv']) {
      const target = vscode.Uri.joinPath(dest, name);
      if (!existsSync(target.fsPath)) await vscode.workspace.fs.copy(vscode.Uri.joinPath(src, name), target);
    }
    const files = [vscode.Uri.joinPath(dest, 'seattle.csv'), vscode.Uri.joinPath(dest, 'new-york.csv')];
    await vscode.window.showTextDocument(files[0], { preview: true });
    await this.compare({ files, labels: ['weather'] } satisfies CompareArgs);
  }

  /** Requests from the dashboard's buttons. */
  async handleDashboardRequest(request: DashboardRequest): Promise<void> {
    switch (request.kind) {
      case 'scaffold': {
        const last = this.ctx.state.get<LastCompare>(LAST_COMPARE);
        if (!last) throw new Error('Compare datasets first.');
        const uri = await this.scaffold(request.experiment, { files: last.files.map((f) => vscode.Uri.parse(f)), labels: last.labels } satisfies CompareArgs);
        if (uri) void vscode.window.showInformationMessage(`Dataset Lab: created ${vscode.workspace.asRelativePath(uri)}. Run it with "Dataset Lab: Run Experiment".`);
        return;
      }
      case 'stopTraining':
        this.stopTraining();
        return;
      case 'openRun':
        await this.openRun(request.runId);
        return;
      case 'runExperiment':
        await this.runExperiment();
        return;
    }
  }
}
