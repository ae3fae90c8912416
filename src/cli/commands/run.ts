import { relative, resolve } from 'node:path';
import { flag, parseArgs, stringOption, UsageError } from '../args';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, type CliCommand, type CliIO } from '../command';
import { displayText, jsonText, terminalText } from '../format';
import { ALL_ARMS, ExperimentError, loadExperiment } from '../../training/experiment';
import { TrainingRun } from '../../training/host';
import { primaryScore } from '../../training/metrics';
import type { ArmName, RunResults } from '../../protocol/runFolder/contract';

function parseArms(value: string | undefined): ArmName[] | undefined {
  if (value === undefined) return undefined;
  const arms = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of arms) if (!ALL_ARMS.includes(a as ArmName)) throw new UsageError(`--arms: unknown arm "${a}" (use ${ALL_ARMS.join(', ')})`);
  if (arms.length === 0) throw new UsageError('--arms needs at least one arm');
  return arms as ArmName[];
}

const fmt = (v: number | null | undefined, digits = 4) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));
const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}%`);

/** The human-readable results table (stdout, after the run). */
export function formatResultsTable(results: RunResults, runDir: string, cwd: string): string {
  const arms = results.arms.map((a) => a.arm);
  const rows: string[][] = [['dataset', 'metric', ...arms, 'best']];
  for (const [name, c] of Object.entries(results.comparison.bySource)) {
    rows.push([name, c.metric, ...arms.map((a) => fmt(c[a])), c.best ?? '-']);
  }
  const pooledMetric = results.arms[0]?.pooled.task === 'regression' ? 'r2' : 'accuracy';
  rows.push(['(pooled)', pooledMetric, ...results.arms.map((a) => fmt(primaryScore(a.pooled))), '']);
  rows.push(['delta_m', 'vs separate', ...arms.map((a) => (a === 'separate' ? '' : pct(results.comparison.deltaM[a]))), '']);
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const lines = rows.map((r) => r.map((cell, j) => cell.padEnd(widths[j])).join('  ').trimEnd());
  const epochs = results.arms.map((a) => `${a.arm} ${a.epochs} epochs (best ${a.bestEpoch})`).join(', ');
  return `Run ${results.runId} on the ${results.backend} backend, saved in ${relative(cwd, runDir) || '.'}\n${epochs}\n\n${lines.join('\n')}\n${leakageNotes(results)}`;
}

/**
 * Notes on test rows whose features repeat a training row's, and rows shared between datasets
 * (a "warning" from 5% of a dataset's test rows: below that, coarse measurements that happen
 * to coincide are the likelier cause).
 */
export function leakageNotes(results: RunResults): string {
  const notes: string[] = [];
  const pooledArms = results.arms.some((a) => a.arm !== 'separate');
  const share = (k: number, n: number) => `${((100 * k) / Math.max(1, n)).toFixed(1)}%`;
  for (const [name, d] of Object.entries(results.datasets)) {
    const l = d.leakage;
    if (!l) continue;
    const seen = pooledArms ? l.testSeenInPooledTrain : l.testSeenInOwnTrain;
    if (seen > 0) {
      const level = seen >= 0.05 * l.testRows ? 'warning' : 'note';
      const own = pooledArms && l.testSeenInPooledTrain > l.testSeenInOwnTrain ? ` (${l.testSeenInOwnTrain} of them a row of ${name}'s own training split)` : '';
      notes.push(`${level}: ${seen} of ${l.testRows} test rows (${share(seen, l.testRows)}) of ${name} repeat the feature values of a training row${own}; if they are the same records, the test scores overstate generalisation`);
    }
    if (l.sharedWithOtherDatasets > 0) notes.push(`note: ${l.sharedWithOtherDatasets} rows of ${name} (${share(l.sharedWithOtherDatasets, d.train + d.validation + d.test)}) have the same feature values as rows of another dataset`);
  }
  return notes.length ? `\n${notes.join('\n')}\n` : '';
}

function progressBar(io: CliIO) {
  let last = '';
  return {
    update(text: string) {
      if (!io.stderr.isTTY) return;
      const line = `\r${text}`.slice(0, 120);
      if (line !== last) io.stderr.write(line.padEnd(last.length));
      last = line;
    },
    clear() {
      if (io.stderr.isTTY && last) io.stderr.write(`\r${' '.repeat(last.length)}\r`);
      last = '';
    },
  };
}

export const runCommand: CliCommand = {
  name: 'run',
  usage: 'run EXPERIMENT [--arms separate,merged,multihead] [--json] [--root DIR] [--backend wasm|cpu|tensorflow]',
  summary: 'Train the arms of an experiment in a child process and compare them per dataset',
  options: [
    { name: 'arms', kind: 'string', description: 'comma-separated subset of the experiment\'s arms' },
    { name: 'json', kind: 'boolean', description: 'print results.json\'s document on stdout' },
    { name: 'root', kind: 'string', description: 'workspace root (dataset paths must stay inside; runs go to ROOT/.dataset-lab/runs); default: the experiment\'s folder' },
    { name: 'backend', kind: 'string', description: 'force a TensorFlow.js backend: tensorflow, wasm or cpu' },
  ],
  async run(argv, io) {
    const args = parseArgs(argv, this.options);
    if (args.positionals.length !== 1) throw new UsageError('run needs exactly one EXPERIMENT file');
    const file = resolve(io.cwd, args.positionals[0]);
    const arms = parseArms(stringOption(args, 'arms'));
    const rootOpt = stringOption(args, 'root');
    const root = rootOpt === undefined ? undefined : resolve(io.cwd, rootOpt);
    const backend = stringOption(args, 'backend');
    if (backend !== undefined && !['tensorflow', 'wasm', 'cpu'].includes(backend)) throw new UsageError(`--backend must be tensorflow, wasm or cpu, got "${backend}"`);
    // Validate in the parent first: bad files fail fast without starting a process.
    try {
      const exp = loadExperiment(file, root ? { root } : {});
      if (exp.model.type === 'gbm' && (arms ?? exp.arms).includes('multihead')) {
        io.stderr.write('note: with "model.type": "gbm" the multihead arm trains one boosted model per dataset head on bins shared by all datasets (trees have no shared trunk); "epochs" below count boosting iterations\n');
      }
    } catch (e) {
      if (e instanceof ExperimentError) {
        io.stderr.write(`dataset-lab: ${terminalText(e.message)}\n`);
        return EXIT_BAD_INPUT;
      }
      throw e;
    }
    const run = TrainingRun.start({ experimentPath: file, ...(root ? { root } : {}), ...(arms ? { arms } : {}), ...(backend ? { backend } : {}) });
    const bar = progressBar(io);
    run.onMessage((msg) => {
      if (msg.type === 'progress') {
        const frac = (msg.epoch - 1 + msg.batch / msg.batches) / msg.epochs;
        const width = 24;
        const filled = Math.round(frac * width);
        bar.update(`${displayText(msg.model).padEnd(20)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] epoch ${msg.epoch}/${msg.epochs} loss ${msg.loss.toFixed(4)} ${Math.round(msg.samplesPerSecond)} samples/s`);
      }
    });
    // Ctrl-C or SIGTERM: cancel, so the run folder records `cancelled` with the finished epochs.
    // A second signal does not wait: the child is killed and the run recorded as interrupted.
    let signals = 0;
    const onSignal = () => (++signals === 1 ? run.cancel() : run.kill('SIGKILL'));
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const outcome = await run.done.finally(() => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    });
    bar.clear();
    switch (outcome.status) {
      case 'completed':
        if (flag(args, 'json')) io.stdout.write(jsonText(JSON.stringify(outcome.results, null, 2)) + '\n');
        else io.stdout.write(terminalText(formatResultsTable(outcome.results, outcome.runDir, io.cwd)));
        return EXIT_OK;
      case 'cancelled':
        io.stderr.write(terminalText(`dataset-lab: run cancelled after ${outcome.epochsDone} epochs; finished epochs are kept in ${outcome.runDir ?? '(no run folder)'}\n`));
        return EXIT_FAILURE;
      case 'failed': {
        const e = outcome.error;
        const what = e.kind === 'diverged' ? 'training diverged: ' : e.kind === 'storage' ? 'cannot save the run: ' : '';
        io.stderr.write(`dataset-lab: ${what}${terminalText(e.message)}\n`);
        return e.kind === 'input' ? EXIT_BAD_INPUT : EXIT_FAILURE;
      }
    }
  },
};
