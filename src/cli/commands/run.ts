import { relative, resolve } from 'node:path';
import { flag, parseArgs, stringOption, UsageError } from '../args';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, type CliCommand, type CliIO } from '../command';
import { displayText, jsonText, terminalText } from '../format';
import { ALL_ARMS, ExperimentError, loadExperiment } from '../../training/experiment';
import { TrainingRun } from '../../training/host';
import { primaryScore } from '../../training/metrics';
import type { ArmName, EvaluationInfo, Interval, Metrics, RunResults, SourceComparison } from '../../protocol/runFolder/contract';
import { formatFixed, formatInterval, formatMetric, formatMetricDifference, formatPercent, formatPValue, formatRate, signed } from '../../protocol/format';
import { datasetVerdicts, overallVerdict, rowNotes, runHints, scoreWithInterval } from '../../protocol/runAdvice';

function parseArms(value: string | undefined): ArmName[] | undefined {
  if (value === undefined) return undefined;
  const arms = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of arms) if (!ALL_ARMS.includes(a as ArmName)) throw new UsageError(`--arms: unknown arm "${a}" (use ${ALL_ARMS.join(', ')})`);
  if (arms.length === 0) throw new UsageError('--arms needs at least one arm');
  return arms as ArmName[];
}

/** A score as every view writes it (src/protocol/format.ts): accuracy in percent, R2 with 3 decimals. */
export function fmtScore(v: number | null | undefined, metric: 'accuracy' | 'r2' = 'r2'): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return formatMetric(metric, v);
}
const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : signed(formatPercent(v, 1), v));
const pValue = (p: number | null | undefined) => (p === null || p === undefined ? '-' : formatPValue(p));

/** `81.5% [77.0%, 85.7%]`, or the score alone when there is no interval. */
export function withInterval(v: number | null | undefined, ci: Interval | undefined, metric: 'accuracy' | 'r2' = 'r2'): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return scoreWithInterval(metric, v, ci);
}

function headlineCi(m: Metrics | null | undefined): Interval | undefined {
  if (!m?.ci) return undefined;
  return m.task === 'regression' ? (m.ci as { r2: Interval }).r2 : (m.ci as { accuracy: Interval }).accuracy;
}

function describeEvaluation(e: EvaluationInfo | undefined): string {
  if (!e) return '';
  const level = `${Math.round(e.confidence * 100)}%`;
  const how =
    e.method === 'holdout'
      ? `holdout; ${level} BCa bootstrap intervals over each dataset's test rows (${e.resamples} resamples); arms compared on the same rows (McNemar mid-p for accuracy, paired bootstrap for R2)`
      : `${e.method === 'cv' ? `${e.folds}-fold cross-validation` : `${e.repeats} x ${e.folds}-fold cross-validation`} (the same folds for every arm; scores are fold means); ${level} intervals and paired tests from the folds (corrected resampled t); saved models refit on all rows`;
  return `evaluation: ${how}; differences significant at ${formatFixed(e.alpha, 2)} after Holm's correction over all comparisons\n`;
}

/** What the best column says: the significantly best arm, or the tie. */
function bestCell(c: SourceComparison): string {
  if (c.best) return c.tied === undefined ? c.best : `${c.best} (significant)`;
  if (c.tied && c.tied.length > 1) return `tie: ${c.tied.join(', ')}`;
  return c.tied?.[0] ?? '-';
}

/** The human-readable results table (stdout, after the run). */
export function formatResultsTable(results: RunResults, runDir: string, cwd: string): string {
  const arms = results.arms.map((a) => a.arm);
  const byArm = new Map(results.arms.map((a) => [a.arm, a]));
  const cell = (arm: ArmName, m: Metrics | null | undefined, v: number | null | undefined, metric: 'accuracy' | 'r2') => {
    const a = byArm.get(arm);
    if (a?.diverged) return `diverged (epoch ${a.diverged.epoch}${a.diverged.fold ? `, fold ${a.diverged.fold}` : ''})`;
    return withInterval(v, headlineCi(m), metric);
  };
  // The baseline column: what predicting the majority class (or the training mean) scores on the same test rows.
  const baselineCell = (name: string, metric: 'accuracy' | 'r2') => {
    const b = results.datasets[name]?.baseline;
    return b ? `${b.kind} ${fmtScore(b.value, metric)}` : '-';
  };
  const rows: string[][] = [['dataset', 'metric', ...arms, 'baseline', 'best']];
  for (const [name, c] of Object.entries(results.comparison.bySource)) {
    rows.push([name, c.metric, ...arms.map((a) => cell(a, byArm.get(a)?.bySource[name], c[a], c.metric)), baselineCell(name, c.metric), bestCell(c)]);
  }
  const pooledMetric = results.arms.find((a) => a.pooled)?.pooled?.task === 'regression' ? 'r2' : 'accuracy';
  rows.push(['(pooled)', pooledMetric, ...results.arms.map((a) => cell(a.arm, a.pooled, a.pooled ? primaryScore(a.pooled) : null, pooledMetric)), '', '']);
  const ciM = results.comparison.deltaMCi;
  rows.push([
    'delta_m',
    'vs separate',
    ...arms.map((a) => {
      if (a === 'separate') return '';
      const v = results.comparison.deltaM[a];
      const ci = ciM?.[a];
      return v === null || v === undefined ? '-' : ci ? `${pct(v)} [${pct(ci[0])}, ${pct(ci[1])}]` : pct(v);
    }),
    '',
    '',
  ]);
  const table = align(rows);
  const gains = gainLines(results);
  const epochs = results.arms.map((a) => (a.diverged ? `${a.arm} diverged at epoch ${a.diverged.epoch}` : `${a.arm} ${a.epochs} epochs (best ${a.bestEpoch})`)).join(', ');
  // What to use, how sure, and what to look at next: the words the dashboard shows too.
  const verdicts = datasetVerdicts(results);
  const advice = [`verdict: ${overallVerdict(results).text}`, ...verdicts.map((v) => `  ${v.source}: ${v.text}`)];
  const hints = runHints(results).map((h) => `hint: ${h.text}`);
  const rowLines = rowNotes(results).map((n) => `rows: ${n.text}`);
  const diverged = results.arms
    .filter((a) => a.diverged)
    .map((a) => `warning: ${a.arm} diverged${a.diverged?.fold ? ` in fold ${a.diverged.fold}` : ''}: ${a.diverged?.message}; it has no scores and is left out of the comparison`);
  return (
    `Run ${results.runId} on the ${results.backend} backend, saved in ${relative(cwd, runDir) || '.'}\n${describeEvaluation(results.evaluation)}${epochs}\n\n${table}\n` +
    (gains ? `\n${gains}\n` : '') +
    `\n${advice.join('\n')}\n` +
    (hints.length || rowLines.length ? `\n${[...rowLines, ...hints].join('\n')}\n` : '') +
    (diverged.length ? `\n${diverged.join('\n')}\n` : '') +
    perClassLines(results) +
    leakageNotes(results)
  );
}

/**
 * Text runs: F1 of every class per dataset and arm (test rows; support in brackets), since text
 * classes are rarely balanced and macro-F1 alone hides which class suffers.
 */
function perClassLines(results: RunResults): string {
  if (!results.textFeatures?.length) return '';
  const notes = (results.textNotes ?? []).map((n) => `note: ${displayText(n)}`).join('\n');
  const arms = results.arms.filter((a) => !a.diverged);
  const classes = (arm: (typeof arms)[number], name: string) => {
    const m = arm.bySource[name];
    return m && 'perClass' in m ? m.perClass : undefined;
  };
  const rows: string[][] = [['dataset', 'class', ...arms.map((a) => `${a.arm} F1`), 'test rows']];
  for (const name of Object.keys(results.comparison.bySource)) {
    for (const c of new Set(arms.flatMap((a) => Object.keys(classes(a, name) ?? {})))) {
      const support = arms.map((a) => classes(a, name)?.[c]?.support).find((s) => s !== undefined);
      const f1 = (a: (typeof arms)[number]) => classes(a, name)?.[c]?.f1;
      rows.push([name, displayText(c), ...arms.map((a) => (f1(a) === undefined ? '-' : formatFixed(f1(a) as number, 3))), support === undefined ? '-' : String(support)]);
    }
  }
  return (rows.length > 1 ? `\nper-class F1 (text features: ${results.textFeatures.map(displayText).join(', ')}):\n${align(rows)}\n` : '') + (notes ? `\n${notes}\n` : '');
}

function align(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)));
  return rows.map((r) => r.map((cell, j) => cell.padEnd(widths[j])).join('  ').trimEnd()).join('\n');
}

/**
 * Each arm against separate per dataset: the gain with its interval, the test's p-value and
 * its Holm adjustment, and whether it is a significant gain, a significant loss, or no
 * significant difference (never a win unless significant).
 */
function gainLines(results: RunResults): string {
  const rows: string[][] = [];
  for (const [name, c] of Object.entries(results.comparison.bySource)) {
    if (!c.gainCi || !c.pValue || !c.significant) continue;
    for (const a of ['merged', 'multihead'] as const) {
      const g = c.gain[a];
      if (g === null) continue;
      const ci = c.gainCi[a];
      const sig = c.significant[a];
      const verdict = sig ? (g > 0 ? 'significant gain' : 'significant loss') : 'no significant difference';
      const test = c.tests?.find((t) => t.arms.includes(a) && t.arms.includes('separate'))?.test ?? '';
      const d = (v: number) => formatMetricDifference(c.metric, v, { unit: false });
      const unit = c.metric === 'accuracy' ? ' pts' : '';
      rows.push([name, `${a} vs separate`, ci ? `${d(g)} ${formatInterval(ci, d)}${unit}` : `${d(g)}${unit}`, `p ${pValue(c.pValue[a])}`, `adjusted ${pValue(c.pAdjusted?.[a])}`, test, verdict]);
    }
  }
  if (!rows.length) return '';
  return align([['dataset', 'comparison', 'gain', 'p', 'Holm', 'test', ''], ...rows]);
}

/**
 * Notes on test rows whose features repeat a training row's, and rows shared between datasets
 * (a "warning" from 5% of a dataset's test rows: below that, coarse measurements that happen
 * to coincide are the likelier cause).
 */
export function leakageNotes(results: RunResults): string {
  const notes: string[] = [];
  const pooledArms = results.arms.some((a) => a.arm !== 'separate');
  const share = (k: number, n: number) => formatPercent(k / Math.max(1, n), 1);
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
  usage: 'run EXPERIMENT [--arms separate,merged,multihead] [--json] [--root DIR] [--backend wasm|cpu|tensorflow] [--allow-model-download]',
  summary: 'Train the arms of an experiment in a child process and compare them per dataset',
  options: [
    { name: 'arms', kind: 'string', description: 'comma-separated subset of the experiment\'s arms' },
    { name: 'json', kind: 'boolean', description: 'print results.json\'s document on stdout' },
    { name: 'root', kind: 'string', description: 'workspace root (dataset paths must stay inside; runs go to ROOT/.dataset-lab/runs); default: the experiment\'s folder' },
    { name: 'backend', kind: 'string', description: 'force a TensorFlow.js backend: tensorflow, wasm or cpu' },
    { name: 'allow-model-download', kind: 'boolean', description: 'a pretrained text encoder named by id and missing from the local model cache may be downloaded into it (default: the cache only)' },
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
    // The CLI's user chose the workspace: its models load; downloads only when asked for.
    const text = { trusted: true, allowModelDownload: flag(args, 'allow-model-download') };
    const run = TrainingRun.start({ experimentPath: file, ...(root ? { root } : {}), ...(arms ? { arms } : {}), ...(backend ? { backend } : {}), text });
    const bar = progressBar(io);
    run.onMessage((msg) => {
      if (msg.type === 'progress') {
        const frac = (msg.epoch - 1 + msg.batch / msg.batches) / msg.epochs;
        const width = 24;
        const filled = Math.round(frac * width);
        const fold = msg.folds ? (msg.fold ? `fold ${msg.fold}/${msg.folds} ` : 'refit ') : '';
        bar.update(`${fold}${displayText(msg.model).padEnd(20)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] epoch ${msg.epoch}/${msg.epochs} loss ${formatMetric('loss', msg.loss)} ${formatRate(msg.samplesPerSecond)}`);
      } else if (msg.type === 'encoding') {
        const what = `${displayText(msg.dataset)}/${displayText(msg.column)} with ${displayText(msg.model)}`;
        if (msg.done < msg.total) bar.update(`embedding ${what} ${msg.done}/${msg.total} texts, ${formatRate(msg.rowsPerSecond, 'texts/s')}`);
        else {
          bar.clear();
          io.stderr.write(terminalText(msg.cached ? `embeddings of ${what}: ${msg.total} texts from the embedding cache\n` : `embedded ${msg.total} texts of ${what}: ${formatRate(msg.rowsPerSecond, 'texts/s')}${msg.runtime ? ` on ${msg.runtime}` : ''}\n`));
        }
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
