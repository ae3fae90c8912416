import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { compareDatasets, type ComparisonReport, type PairComparison } from '../../core/compare';
import { flag, numberOption, parseArgs, stringOption, UsageError, type OptionSpec } from '../args';
import { EXIT_OK, type CliCommand, type CliIO } from '../command';
import { displayText as d, fmt, heading, jsonText, percent, pvalue, renderTable, terminalText } from '../format';
import { ingestOptionSpecs, loadTables } from '../loadTables';
import { timeComparisonText } from '../timeText';
import { CompareProgressWriter } from '../progress';
import { runStreamCompare, streamDecision, streamOptionSpecs } from '../stream';

const options: readonly OptionSpec[] = [
  { name: 'label', kind: 'string', description: 'label column, the same name in every dataset' },
  { name: 'labels', kind: 'string', description: 'label column per dataset, comma-separated in file order (empty = none)' },
  { name: 'reference', kind: 'string', description: 'reference dataset: file index (1-based) or dataset name (default: the first file)' },
  { name: 'json', kind: 'boolean', description: 'print one JSON document to stdout' },
  { name: 'html', kind: 'string', description: 'also write a self-contained HTML report to this file' },
  { name: 'p-value', kind: 'string', description: 'p-value threshold for small samples (default 0.05)' },
  { name: 'small-sample-rows', kind: 'string', description: 'reference rows up to which p-value tests decide (default 1000)' },
  { name: 'wasserstein-threshold', kind: 'string', description: 'normalised Wasserstein drift threshold (default 0.1)' },
  { name: 'js-threshold', kind: 'string', description: 'Jensen-Shannon distance drift threshold (default 0.1)' },
  { name: 'seed', kind: 'string', description: 'seed for the domain classifier (default 42)' },
  { name: 'no-domain-classifier', kind: 'boolean', description: 'skip the domain classifier' },
  { name: 'progress-json', kind: 'boolean', description: 'write each stage (reading each file, profiling, feature drift, labels, domain classifier, recommendation) as one JSON line to stderr, for programs running the CLI' },
  ...ingestOptionSpecs,
  ...streamOptionSpecs,
];

function labelsFrom(args: ReturnType<typeof parseArgs>, n: number): (string | undefined)[] {
  const label = stringOption(args, 'label');
  const labels = stringOption(args, 'labels');
  if (label !== undefined && labels !== undefined) throw new UsageError('use either --label or --labels, not both');
  if (label !== undefined) return new Array<string>(n).fill(label);
  if (labels !== undefined) {
    const parts = labels.split(',').map((s) => s.trim());
    if (parts.length !== n) throw new UsageError(`--labels names ${parts.length} column(s) for ${n} file(s)`);
    return parts.map((p) => (p === '' ? undefined : p));
  }
  return new Array<string | undefined>(n).fill(undefined);
}

export const compareCommand: CliCommand = {
  name: 'compare',
  usage: 'compare FILE FILE... [--label COL | --labels COL_A,COL_B,...] [--json] [--html FILE]',
  summary: 'Compare datasets against a reference: schema, drift, labels, domain classifier, recommendation.',
  options,
  async run(argv, ioIn) {
    let io = ioIn;
    const args = parseArgs(argv, options);
    const files = args.positionals;
    if (files.length < 2) throw new UsageError('compare needs at least two CSV files');
    const streaming = streamDecision(files, args, io.cwd);
    if (flag(args, 'progress-json')) io = { ...io, compareProgress: new CompareProgressWriter(io.stderr, files, fileSizes(files, io.cwd), streaming.stream) };
    if (streaming.stream) return runStreamCompare(files, args, io, streaming.why);
    if (streaming.note) io.stderr.write(`note: ${streaming.note}\n`);
    const labels = labelsFrom(args, files.length);
    const tables = await loadTables(files, args, io);
    let reference = 0;
    const ref = stringOption(args, 'reference');
    if (ref !== undefined) {
      const byName = tables.findIndex((t) => t.name === ref || t.path === ref);
      const byIndex = /^\d+$/.test(ref) ? Number(ref) - 1 : -1;
      reference = byName >= 0 ? byName : byIndex;
      if (reference < 0 || reference >= tables.length) throw new UsageError(`--reference "${ref}" is neither a file index nor a dataset name`);
    }
    const thresholds = {
      ...(numberOption(args, 'p-value') !== undefined ? { pValue: numberOption(args, 'p-value') } : {}),
      ...(numberOption(args, 'small-sample-rows') !== undefined ? { smallSampleRows: numberOption(args, 'small-sample-rows') } : {}),
      ...(numberOption(args, 'wasserstein-threshold') !== undefined ? { wassersteinNorm: numberOption(args, 'wasserstein-threshold') } : {}),
      ...(numberOption(args, 'js-threshold') !== undefined ? { jensenShannon: numberOption(args, 'js-threshold') } : {}),
    };
    const report = compareDatasets(tables, {
      labels,
      reference,
      thresholds,
      seed: numberOption(args, 'seed') ?? 42,
      skipDomainClassifier: flag(args, 'no-domain-classifier'),
      ...(io.compareProgress ? { onProgress: io.compareProgress.step.bind(io.compareProgress) } : {}),
    });
    const html = stringOption(args, 'html');
    if (html !== undefined) {
      const { writeHtmlReport } = await import('../htmlReport');
      await writeHtmlReport({ kind: 'compare', report }, html);
      if (!flag(args, 'json')) io.stderr.write(`wrote ${d(html)}\n`);
    }
    if (flag(args, 'json')) io.stdout.write(jsonText(JSON.stringify(report, jsonNumbers, 2)) + '\n');
    else io.stdout.write(terminalText(renderCompare(report)));
    return EXIT_OK;
  },
};

/** JSON has no NaN or Infinity: write them as null rather than invalid JSON. */
/** Each file's size in bytes (0 when it cannot be read: the reader says why). */
function fileSizes(files: readonly string[], cwd: string): number[] {
  return files.map((f) => {
    try {
      return statSync(resolve(cwd, f)).size;
    } catch {
      return 0;
    }
  });
}

export function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** Names from the data, shown safely and joined. */
const names = (xs: readonly string[]) => xs.map(d).join(', ');

/** 1000, 25.4, 1/1000, 1/25.4: a conversion factor the way people write it. */
export function formatFactor(f: number): string {
  const nice = (x: number) => String(Number(x.toPrecision(6)));
  return f >= 1 ? nice(f) : `1/${nice(1 / f)}`;
}

function renderPair(pair: PairComparison): string {
  let out = heading(`${pair.other} vs ${pair.reference} (reference)`);
  const s = pair.schema;
  out += `Columns: ${s.matched.length} matched`;
  if (s.onlyReference.length) out += `; only in ${d(pair.reference)}: ${names(s.onlyReference)}`;
  if (s.onlyOther.length) out += `; only in ${d(pair.other)}: ${names(s.onlyOther)}`;
  out += '\n';
  for (const m of s.matched.filter((m) => m.renamed)) out += `  matched "${d(m.reference)}" with "${d(m.other)}" after normalising names\n`;
  for (const t of s.typeConflicts) out += `  type conflict: ${d(t)}\n`;
  for (const g of s.suggestions) out += `  suggested mapping: "${d(g.reference)}" -> "${d(g.other)}" (${d(g.reason)})\n`;
  for (const u of pair.unitDifferences ?? []) {
    out += `  unit difference: "${d(u.other)}" is about ${formatFactor(u.factor)} x "${d(u.reference)}" (medians ${u.otherMedian.toPrecision(4)} and ${u.referenceMedian.toPrecision(4)}${u.conversion ? `; ${d(u.conversion)}` : ''})\n`;
  }
  out += '\n';
  // Largest effect first (normalised Wasserstein or JS distance); identifier-like columns last.
  const effect = (f: (typeof pair.features)[number]) => (f.identifierLike ? -1 : (f.wassersteinNorm ?? f.jensenShannon));
  const features = [...pair.features].sort((a, b) => effect(b) - effect(a));
  out += renderTable(
    [
      { header: 'feature' },
      { header: 'type' },
      { header: 'KS' , align: 'right' },
      { header: 'KS p', align: 'right' },
      { header: 'W1/std', align: 'right' },
      { header: 'PSI', align: 'right' },
      { header: 'JS', align: 'right' },
      { header: 'chi2 p', align: 'right' },
      { header: 'method' },
      { header: 'drift' },
    ],
    features.map((f) => [
      f.name + (f.otherName ? ` (${f.otherName})` : ''),
      f.type,
      fmt(f.ks?.statistic),
      pvalue(f.ks?.pvalue),
      fmt(f.wassersteinNorm),
      fmt(f.psi),
      fmt(f.jensenShannon),
      pvalue(f.chi2?.pvalue),
      f.method,
      f.identifierLike ? 'n/a (identifier-like)' : f.drift ? 'DRIFT' : 'no',
    ]),
  );
  for (const f of features) {
    if (f.time) {
      out += timeComparisonText(f.name, f.time, pair.reference, pair.other);
    }
    if (f.text) {
      const x = f.text;
      out += `  "${d(f.name)}" (text): ${fmt(x.referenceLength.mean)} vs ${fmt(x.otherLength.mean)} characters per cell (length KS p ${pvalue(x.lengthKs?.pvalue)}); vocabularies ${x.referenceVocabulary} vs ${x.otherVocabulary} tokens, Jaccard of the top ${x.topK} ${fmt(x.vocabularyJaccard)}; out of vocabulary: ${percent(x.otherOovRate)} of ${d(pair.other)}'s tokens, ${percent(x.referenceOovRate)} of ${d(pair.reference)}'s; token JS ${fmt(x.tokenJensenShannon)}\n`;
      out += `    top tokens: ${d(pair.reference)}: ${x.referenceTopTokens.slice(0, 8).map((t) => d(t.token)).join(' ')} | ${d(pair.other)}: ${x.otherTopTokens.slice(0, 8).map((t) => d(t.token)).join(' ')}\n`;
    }
  }
  const l = pair.label;
  if (l) {
    out += `\nLabel "${d(l.referenceColumn)}"${l.sameColumn ? '' : ` vs "${d(l.otherColumn)}"`} (${l.task})\n`;
    if (!l.sameColumn) {
      // Different targets: each side described, their values never compared.
      out += `  different label columns: ${d(pair.reference)} predicts "${d(l.referenceColumn)}", ${d(pair.other)} predicts "${d(l.otherColumn)}"; their values are not compared\n`;
      if (l.task === 'classification') {
        const list = (ds: typeof l.referenceDistribution) => ds.map((x) => `${d(x.value)} ${x.count} (${percent(x.share)})`).join(', ');
        out += `  ${d(pair.reference)}: ${list(l.referenceDistribution)}\n  ${d(pair.other)}: ${list(l.otherDistribution)}\n`;
      } else out += `  means: ${fmt(l.referenceMean)} (${d(pair.reference)}), ${fmt(l.otherMean)} (${d(pair.other)})\n`;
    } else if (l.task === 'classification') {
      out += `  shared: ${names(l.shared) || '(none)'}\n`;
      out += `  only in ${d(pair.reference)}: ${names(l.onlyReference) || '(none)'}\n`;
      out += `  only in ${d(pair.other)}: ${names(l.onlyOther) || '(none)'}\n`;
      const values = [...new Set([...l.referenceDistribution.map((d) => d.value), ...l.otherDistribution.map((d) => d.value)])];
      const share = (ds: typeof l.referenceDistribution, v: string) => {
        const d = ds.find((x) => x.value === v);
        return d ? `${d.count} (${percent(d.share)})` : '0';
      };
      out += renderTable(
        [{ header: 'value' }, { header: pair.reference, align: 'right' }, { header: pair.other, align: 'right' }],
        values.map((v) => [v, share(l.referenceDistribution, v), share(l.otherDistribution, v)]),
      )
        .trimEnd()
        .replace(/^/gm, '  ') + '\n';
      out += `  imbalance (largest/smallest class): ${fmt(l.referenceImbalance, 3)} vs ${fmt(l.otherImbalance, 3)}; JS distance ${fmt(l.jensenShannon)}; chi2 p ${pvalue(l.chi2?.pvalue)}\n`;
    } else {
      out += `  means ${fmt(l.referenceMean)} vs ${fmt(l.otherMean)}; KS ${fmt(l.ks?.statistic)} (p ${pvalue(l.ks?.pvalue)}), W1/std ${fmt(l.wassersteinNorm)}\n`;
    }
  }
  const dc = pair.domainClassifier;
  if (dc) {
    out += `\nDomain classifier: ROC AUC ${dc.auc.toFixed(3)}, score 2*AUC-1 = ${dc.score.toFixed(3)} (${dc.folds}-fold CV, ${dc.rowsUsed} rows)`;
    if (dc.topFeatures.length) out += `; most telling: ${names(dc.topFeatures.slice(0, 3).map((f) => f.name))}`;
    out += '\n';
  }
  out += `Drifted features: ${percent(pair.driftShare)}; size ratio ${fmt(pair.sizeRatio, 3)}:1\n`;
  return out;
}

export function renderCompare(report: ComparisonReport): string {
  let out = heading('Datasets');
  out += renderTable(
    [{ header: 'name' }, { header: 'path' }, { header: 'rows', align: 'right' }, { header: 'columns', align: 'right' }, { header: 'label' }],
    report.datasets.map((d) => [d.name, d.path, String(d.rows), String(d.columns.length), d.label ?? '']),
  );
  for (const pair of report.comparisons) out += renderPair(pair);
  const r = report.recommendation;
  out += heading(`Recommendation: ${r.strategy.toUpperCase()}`);
  for (const reason of r.reasons) out += `- ${d(reason)}\n`;
  if (r.cautions.length) {
    out += '\nCautions:\n';
    for (const c of r.cautions) out += `- ${d(c)}\n`;
  }
  if (report.problems.length) out += `\n${report.problems.length} input problem(s) reported on stderr.\n`;
  return out;
}

export type { CliIO };
