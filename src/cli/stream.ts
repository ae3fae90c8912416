/**
 * The streaming mode of `profile` and `compare` (src/core/stream): chosen with --stream, or
 * automatically when the in-memory path would need more than --max-memory (default: half the
 * machine's memory, at most 4 GiB), estimated as 2.4 x the files' size (the ingest's peak). Every
 * approximate figure is printed with the most it can be off (the exact value lies within
 * estimate +- bound), and the output says what is approximate and why.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { uniqueNames } from '../core/compare/compareDatasets';
import { compareStreams, type StreamComparison, type StreamFeature } from '../core/stream/streamCompare';
import type { StreamLabelComparison, StreamLabelCount } from '../core/stream/streamLabel';
import { mergeProfiles, profileFromJson, profileToJson, streamProfile, type StreamProfile } from '../core/stream/streamProfile';
import type { Bounded } from '../core/stream/quantileSketch';
import { canStream, defaultMemoryLimit, INGEST_PEAK_FACTOR } from '../core/stream/streamRule';
import { recommendStreams, streamPairComparison, unavailableInputs, type StreamCompareDocument } from '../core/stream/streamRecommend';
import { flag, numberOption, stringOption, UsageError, type OptionSpec, type ParsedArgs } from './args';
import { EXIT_OK, type CliIO } from './command';
import { displayText as d, fmt, heading, jsonText, percent, pvalue, renderTable, terminalText } from './format';
import { formatName, tableFormatOf } from '../core/readers/formats';
import { sampledKind } from '../core/stream/sampledKind';
import { streamJsonLines, streamParquet } from '../core/stream/streamTable';
import { ingestOptionsFrom } from './loadTables';
import { ProgressLine } from './progress';
import { writeStreamCompareHtml } from './streamHtml';
import { timeComparisonText } from './timeText';

/** JSON has no NaN or Infinity: null instead (as compare --json writes them). */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** Chunks smaller than this are not worth a process of their own. */
const MIN_CHUNK_BYTES = 256 * 1024;

export const streamOptionSpecs: readonly OptionSpec[] = [
  { name: 'jobs', kind: 'string', description: 'streaming: read each CSV file in this many byte ranges at once, each in its own process, and merge their sketches (default 1; files with quoted cells are read whole)' },
  { name: 'stream', kind: 'boolean', description: 'read each file once in bounded memory: exact counts and moments, sketched distributions with their error bounds, the recommendation from them (docs/scaling.md)' },
  { name: 'max-memory', kind: 'string', description: 'memory the in-memory path may use (e.g. 512M, 8G); above it the streaming mode is used (default: DATASET_LAB_MAX_MEMORY, else half the RAM, at most 4G; with --json the default only warns)' },
];


export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  if (!m) throw new UsageError(`--max-memory ${JSON.stringify(text)}: use a size such as 512M or 8G`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Number(m[1]) * unit;
}

const mib = (bytes: number) => (bytes >= 1024 ** 3 ? `${fmt(bytes / 1024 ** 3, 3)} GiB` : `${fmt(bytes / 1024 ** 2, 3)} MiB`);

/**
 * Whether to stream, and why (said on stderr when it was not asked for). Past the limit the
 * streaming mode is chosen by itself when --max-memory was given, or when the output is the
 * terminal's (labels, the schema and the recommendation stream too); a --json consumer (the
 * extension) keeps the in-memory document it expects unless --stream or --max-memory says
 * otherwise, and is told on stderr that --stream would bound the memory.
 */
export function streamDecision(files: readonly string[], args: ParsedArgs, cwd: string): { stream: boolean; why?: string; note?: string } {
  const asked = flag(args, 'stream');
  const limitText = stringOption(args, 'max-memory');
  const fromEnv = process.env.DATASET_LAB_MAX_MEMORY;
  const limit = limitText !== undefined ? parseSize(limitText) : fromEnv ? parseSize(fromEnv) : defaultMemoryLimit(totalmem());
  let total = 0;
  for (const f of files) {
    try {
      total += statSync(resolve(cwd, f)).size;
    } catch {
      // the reader says what is wrong with the file
    }
  }
  const need = total * INGEST_PEAK_FACTOR;
  const over = need > limit;
  const needsMemoryMode = flag(args, 'json');
  const stream = asked || (over && (limitText !== undefined || !needsMemoryMode));
  if (!stream) {
    return over ? { stream, note: `reading ${mib(total)} in memory needs about ${mib(need)}, above ${mib(limit)}; --stream reads the files in bounded memory` } : { stream };
  }
  const unread = files.find((f) => !canStream(f));
  if (unread) {
    throw new UsageError(
      `${unread}: the streaming mode reads CSV/TSV, JSON Lines and Parquet files, not ${formatName(tableFormatOf(unread))}${asked ? '' : ` (it was chosen because reading ${mib(total)} in memory needs about ${mib(need)}, above ${limitText ? '--max-memory' : 'the default limit'} ${mib(limit)})`}; convert it to CSV, JSON Lines or Parquet, or raise --max-memory`,
    );
  }
  return { stream, ...(asked ? {} : { why: `reading ${mib(total)} in memory needs about ${mib(need)}, above ${limitText ? '--max-memory' : 'the default limit'} ${mib(limit)}: using the streaming mode (--max-memory to change)` }) };
}

/** The options that reach each chunk's process: the reader's. */
function chunkArgs(args: ParsedArgs): string[] {
  const out: string[] = [];
  for (const o of ['delimiter', 'missing']) {
    const v = stringOption(args, o);
    if (v !== undefined) out.push(`--${o}`, v);
  }
  return out;
}

/**
 * One file read as `jobs` byte ranges in parallel processes (this CLI's `profile --stream
 * --byte-range S:E --sketch-out FILE`), their sketches merged. Undefined when a chunk met a quote
 * character: a quoted cell may hold a line break, so chunk boundaries could split a record.
 */
async function readInChunks(file: string, jobs: number, args: ParsedArgs): Promise<StreamProfile | undefined> {
  const size = statSync(file).size;
  const dir = mkdtempSync(join(tmpdir(), 'dataset-lab-chunks-'));
  try {
    const bounds = Array.from({ length: jobs + 1 }, (_, k) => Math.round((k * size) / jobs));
    const outs = await Promise.all(
      bounds.slice(0, -1).map(
        (start, k) =>
          new Promise<string>((done, fail) => {
            const out = join(dir, `${k}.json`);
            const child = fork(process.argv[1], ['profile', file, '--stream', '--byte-range', `${start}:${bounds[k + 1]}`, '--sketch-out', out, ...chunkArgs(args)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
            let err = '';
            child.stderr?.on('data', (d) => (err += String(d)));
            child.on('error', fail);
            child.on('exit', (code) => (code === 0 ? done(out) : fail(Object.assign(new Error(`reading bytes ${start}-${bounds[k + 1]} of ${file} failed: ${err.trim().split('\n').pop() ?? `exit ${code}`}`), { userFacing: true }))));
          }),
      ),
    );
    const parts = outs.map((o) => profileFromJson(JSON.parse(readFileSync(o, 'utf8'))));
    if (parts.some((p) => p.quoted)) return undefined;
    return { ...mergeProfiles(parts, numberOption(args, 'seed') ?? 42), file };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function readStreams(files: readonly string[], args: ParsedArgs, io: CliIO): Promise<StreamProfile[]> {
  const ingest = ingestOptionsFrom(args);
  const jobs = Math.max(1, Math.floor(numberOption(args, 'jobs') ?? 1));
  const out: StreamProfile[] = [];
  for (const f of files) {
    const abs = resolve(io.cwd, f);
    let size = 0;
    try {
      size = statSync(abs).size;
    } catch {
      // the reader says what is wrong
    }
    // Byte ranges in parallel: CSV only (a JSON Lines file is read on one core).
    const n = tableFormatOf(abs) === 'csv' ? Math.min(jobs, Math.floor(size / MIN_CHUNK_BYTES)) : 1;
    if (n > 1) {
      const merged = await readInChunks(abs, n, args);
      if (merged) {
        out.push(merged);
        continue;
      }
      io.stderr.write(`note: ${d(f)} has quoted cells, which may hold line breaks: read whole on one core instead of in ${n} parts\n`);
    }
    out.push(await readOne(f, args, io, ingest, out.length));
  }
  return out;
}

/** One file in one streaming pass (CSV/TSV, JSON Lines or Parquet), its progress on the terminal and to --progress-json. */
async function readOne(f: string, args: ParsedArgs, io: CliIO, ingest: ReturnType<typeof ingestOptionsFrom>, index: number): Promise<StreamProfile> {
  const progress = new ProgressLine(io.stderr);
  io.compareProgress?.reading(index, 0);
  const path = resolve(io.cwd, f);
  const common = {
    ...(ingest.missingTokens ? { missingTokens: ingest.missingTokens } : {}),
    seed: numberOption(args, 'seed') ?? 42,
    onProgress: (done: number, total: number) => {
      progress.update(f, done, total);
      io.compareProgress?.reading(index, done, total);
    },
  };
  try {
    const format = tableFormatOf(f);
    if (format === 'parquet') return await streamParquet(path, common);
    if (format === 'jsonl') return streamJsonLines(path, common);
    return streamProfile(path, { ...(ingest.delimiter ? { delimiter: ingest.delimiter } : {}), ...common });
  } finally {
    progress.done();
  }
}

function problems(p: StreamProfile, file: string, io: CliIO, strict: boolean): void {
  // file:line:column as the in-memory commands print them; a chunk read apart knows its byte offset, not its line.
  for (const x of p.problems) {
    const where = x.line !== undefined ? `${file}:${x.line}:${x.column ?? 1}` : x.byte !== undefined ? `${file}: byte ${x.byte}` : file;
    io.stderr.write(terminalText(`${where}: ${x.message}\n`));
  }
  if (p.problemCount > p.problems.length) io.stderr.write(terminalText(`${file}: ${p.problemCount - p.problems.length} more problems\n`));
  if (strict && p.problemCount > 0) throw Object.assign(new Error(`${file}: ${p.problemCount} problem(s) (--strict)`), { userFacing: true, exitCode: 2 });
}

/** A bounded figure: `0.0861 ±0.0004`, exact ones plain. */
function bounded(b: Bounded | undefined, digits = 4): string {
  if (!b || !Number.isFinite(b.estimate)) return '-';
  const err = Math.max(b.upper - b.estimate, b.estimate - b.lower);
  return err > 0 ? `${fmt(b.estimate, digits)} ±${fmt(err, 2)}` : fmt(b.estimate, digits);
}

export function approximationNote(a: { alpha: number; exactDistinct: number; categoryCapacity: number }): string {
  return (
    `streaming mode: each file read once in bounded memory. Counts, missing values, means and standard deviations are exact. ` +
    `Distributions come from a quantile sketch, exact up to ${a.exactDistinct} distinct values per column, then buckets ${percent(a.alpha * 2)} wide (relative): ` +
    `figures written "x ±e" are approximate, the exact value lying within x - e and x + e; those without ± are exact. ` +
    `Categories are exact up to ${a.categoryCapacity} distinct values per column. The domain classifier sees a uniform sample of rows.\n`
  );
}

export function renderStreamCompare(c: StreamComparison): string {
  let out = heading(`${c.reference.file} (reference, ${c.reference.rows} rows) vs ${c.other.file} (${c.other.rows} rows)`);
  out += approximationNote(c.approximation);
  const numeric = c.features.filter((f) => f.type === 'numeric');
  const categorical = c.features.filter((f) => f.type === 'categorical');
  const verdict = (f: StreamFeature) => f.identifierLike ? 'identifier-like: no verdict' : `${f.drift ? 'DRIFT' : 'no drift'} (${f.method})${f.verdictSure ? '' : ' unsure: the bound straddles the threshold'}`;
  if (numeric.length) {
    out += '\n' + renderTable(
      [{ header: 'feature' }, { header: 'KS', align: 'right' }, { header: 'KS p', align: 'right' }, { header: 'Wasserstein', align: 'right' }, { header: 'W (norm)', align: 'right' }, { header: 'PSI', align: 'right' }, { header: 'JS', align: 'right' }, { header: 'means', align: 'right' }, { header: 'verdict' }],
      numeric.map((f) => [
        f.name,
        bounded(f.ks?.statistic),
        f.ks ? (f.ks.pvalueRange[0] === f.ks.pvalueRange[1] ? pvalue(f.ks.pvalue) : `${pvalue(f.ks.pvalueRange[0])}..${pvalue(f.ks.pvalueRange[1])}`) : '-',
        bounded(f.wasserstein),
        bounded(f.wassersteinNorm),
        f.exact ? fmt(f.psi) : `${fmt(f.psi)} ~`,
        f.exact ? fmt(f.jensenShannon) : `${fmt(f.jensenShannon)} ~`,
        `${fmt(f.referenceMean)} / ${fmt(f.otherMean)}`,
        verdict(f),
      ]),
    );
    const worst = Math.max(0, ...numeric.map((f) => f.distribution?.maxShareError ?? 0));
    if (worst > 0) out += `PSI and JS (~) come from 30-bin histograms whose bin shares are each within ±${percent(worst)} of the exact ones.\n`;
  }
  if (categorical.length) {
    out += '\n' + renderTable(
      [{ header: 'feature' }, { header: 'chi2 p', align: 'right' }, { header: 'JS', align: 'right' }, { header: 'PSI', align: 'right' }, { header: 'categories' }, { header: 'verdict' }],
      categorical.map((f) => [
        f.name + (f.sampledKind ? ` (${f.sampledKind === 'datetime' ? 'dates' : 'text'})` : ''),
        pvalue(f.chi2?.pvalue),
        fmt(f.jensenShannon),
        fmt(f.psi),
        f.exact ? 'exact' : `top ${f.categories?.values.length}; counts up to ${f.categories?.referenceUndercount} / ${f.categories?.otherUndercount} low, the rest as (other)`,
        verdict(f),
      ]),
    );
  }
  const dates = c.features.filter((f) => f.type === 'datetime');
  if (dates.length) {
    out += '\n' + renderTable(
      [{ header: 'feature (dates)' }, { header: 'formats' }, { header: 'dates', align: 'right' }, { header: 'verdict' }],
      dates.map((f) => [f.name, f.time ? `${f.time.formats[0]} / ${f.time.formats[1]}` : '-', f.time ? `${f.time.dates[0]} / ${f.time.dates[1]}` : '-', `${verdict(f)}${f.time ? ` by ${f.time.decidedBy === 'dayOfWeek' ? 'day of week' : f.time.decidedBy}` : ''}`]),
    );
    out += 'Time ranges, overlap and calendar-part drift are exact (from exact counts, as in memory):\n';
    for (const f of dates) {
      const t = f.time;
      if (!t) continue;
      const [lo, hi] = t.otherInReferenceRangeBounds;
      out += timeComparisonText(f.name, t, c.reference.file, c.other.file, lo === hi ? percent(t.otherInReferenceRange) : `${percent(t.otherInReferenceRange)} (${percent(lo)}..${percent(hi)})`);
    }
  }
  const unfollowed = c.features.filter((f) => f.datesNotFollowed);
  for (const f of unfollowed) out += `  "${d(f.name)}" holds dates (by the sampled rows) that could not be followed in one pass (${d(f.datesNotFollowed ?? '')}): compared as categories\n`;
  if (c.onlyInReference.length) out += `only in the reference: ${c.onlyInReference.join(', ')}\n`;
  if (c.onlyInOther.length) out += `only in the other file: ${c.onlyInOther.join(', ')}\n`;
  for (const m of c.schema.matched.filter((x) => x.renamed)) out += `  matched "${d(m.reference)}" with "${d(m.other)}" after normalising names\n`;
  for (const t of c.schema.typeConflicts) out += `  type conflict: ${d(t)} (compared as categories)\n`;
  for (const g of c.schema.suggestions) out += `  suggested mapping: "${d(g.reference)}" -> "${d(g.other)}" (${d(g.reason)})\n`;
  const dc = c.domainClassifier;
  out += dc
    ? `\ndomain classifier: AUC ${fmt(dc.auc, 3)} (${dc.folds}-fold, on a uniform sample of ${dc.sampledRows[0]} + ${dc.sampledRows[1]} rows; top: ${dc.topFeatures.slice(0, 3).map((t) => t.name).join(', ')})\n`
    : '\ndomain classifier: not run (--no-domain-classifier, too few rows or no shared feature)\n';
  if (c.label) out += renderStreamLabel(c.label, c.reference.file, c.other.file);
  return out;
}

/** --label COL (every file) or --labels COL_A,COL_B,... (empty = none), as the in-memory compare reads them. */
function streamLabels(args: ParsedArgs, n: number): (string | undefined)[] {
  const label = stringOption(args, 'label');
  const labels = stringOption(args, 'labels');
  if (label !== undefined && labels !== undefined) throw new UsageError('use either --label or --labels, not both');
  if (label !== undefined) return new Array<string>(n).fill(label);
  if (labels === undefined) return new Array<string | undefined>(n).fill(undefined);
  const parts = labels.split(',').map((x) => x.trim());
  if (parts.length !== n) throw new UsageError(`--labels names ${parts.length} column(s) for ${n} file(s)`);
  return parts.map((p) => p || undefined);
}

/** The label comparison as the in-memory compare prints it, approximate counts as ranges and bounded figures with their ±. */
export function renderStreamLabel(l: StreamLabelComparison, refName: string, otherName: string): string {
  let out = `\nLabel "${d(l.referenceColumn)}"${l.sameColumn ? '' : ` vs "${d(l.otherColumn)}"`} (${l.task}${l.exact ? ', exact' : ''})\n`;
  const count = (x: StreamLabelCount | undefined, under: number) => (x ? `${under ? `${x.count}..${x.count + under}` : x.count} (${percent(x.share)}${under ? '+' : ''})` : under ? `0..${under}` : '0');
  const list = (ds: readonly StreamLabelCount[], under: number) => ds.slice(0, 30).map((x) => `${d(x.value)} ${count(x, under)}`).join(', ') + (ds.length > 30 ? `, ... (${ds.length} values)` : '');
  const approx = (under: number, name: string) => (under ? `  ${d(name)}: more distinct values than counted exactly: counts are at most ${under} low (shown as ranges), a value not listed occurred at most ${under} times\n` : '');
  if (!l.sameColumn) {
    out += `  different label columns: ${d(refName)} predicts "${d(l.referenceColumn)}", ${d(otherName)} predicts "${d(l.otherColumn)}"; their values are not compared\n`;
    if (l.task === 'classification') out += `  ${d(refName)}: ${list(l.referenceDistribution, l.referenceUndercount)}\n  ${d(otherName)}: ${list(l.otherDistribution, l.otherUndercount)}\n`;
    else out += `  means: ${fmt(l.referenceMean)} (${d(refName)}), ${fmt(l.otherMean)} (${d(otherName)})\n`;
    return out + approx(l.referenceUndercount, refName) + approx(l.otherUndercount, otherName);
  }
  if (l.task === 'regression') {
    const ks = l.ks;
    const p = ks ? (ks.pvalueRange[0] === ks.pvalueRange[1] ? pvalue(ks.pvalue) : `${pvalue(ks.pvalueRange[0])}..${pvalue(ks.pvalueRange[1])}`) : '-';
    out += `  means ${fmt(l.referenceMean)} vs ${fmt(l.otherMean)} (exact); KS ${bounded(ks?.statistic)} (p ${p}), W1/std ${bounded(l.wassersteinNorm)}\n`;
    return out;
  }
  const names = (v: readonly string[]) => v.map((x) => d(x)).join(', ');
  const certain = l.exact ? '' : ' (certain ones; the counts past the exact cap cannot say more)';
  out += `  shared: ${names(l.shared) || '(none)'}${certain}\n`;
  out += `  only in ${d(refName)}: ${names(l.onlyReference) || (l.otherUndercount ? '(none certain)' : '(none)')}\n`;
  out += `  only in ${d(otherName)}: ${names(l.onlyOther) || (l.referenceUndercount ? '(none certain)' : '(none)')}\n`;
  const values = [...new Set([...l.referenceDistribution.map((x) => x.value), ...l.otherDistribution.map((x) => x.value)])];
  const shown = values.slice(0, 30);
  out += renderTable(
    [{ header: 'value' }, { header: refName, align: 'right' }, { header: otherName, align: 'right' }],
    shown.map((v) => [v, count(l.referenceDistribution.find((x) => x.value === v), l.referenceUndercount), count(l.otherDistribution.find((x) => x.value === v), l.otherUndercount)]),
  )
    .trimEnd()
    .replace(/^/gm, '  ') + '\n';
  if (values.length > shown.length) out += `  ... ${values.length - shown.length} more values (--json lists them all)\n`;
  out += approx(l.referenceUndercount, refName) + approx(l.otherUndercount, otherName);
  if (l.exact) out += `  overlap ${percent(l.overlap ?? 0)}; imbalance (largest/smallest class): ${fmt(l.referenceImbalance, 3)} vs ${fmt(l.otherImbalance, 3)}; JS distance ${fmt(l.jensenShannon)}; chi2 p ${pvalue(l.chi2?.pvalue)}\n`;
  else out += '  overlap, imbalance, JS distance and chi2 need exact counts on both sides: not computed\n';
  return out;
}

export async function runStreamCompare(files: readonly string[], args: ParsedArgs, io: CliIO, why: string | undefined): Promise<number> {
  const labels = streamLabels(args, files.length);
  if (why) io.stderr.write(`note: ${d(why)}\n`);
  const names = uniqueNames(files.map((f) => basename(f, extname(f))));
  let refIndex = 0;
  const refText = stringOption(args, 'reference');
  if (refText !== undefined) {
    const byName = names.findIndex((n, i) => n === refText || files[i] === refText);
    refIndex = byName >= 0 ? byName : /^\d+$/.test(refText) ? Number(refText) - 1 : -1;
    if (refIndex < 0 || refIndex >= files.length) throw new UsageError(`--reference "${refText}" is neither a file index nor a dataset name`);
  }
  const profiles = await readStreams(files, args, io);
  profiles.forEach((p, i) => problems(p, files[i], io, flag(args, 'strict')));
  profiles.forEach((p, i) => {
    const label = labels[i];
    if (label !== undefined && !p.columns.some((c) => c.name === label)) {
      throw Object.assign(new Error(`${files[i]}: label column "${label}" not found (columns: ${p.columns.map((c) => c.name).join(', ')})`), { userFacing: true, exitCode: 2 });
    }
  });
  const thresholds = {
    ...(numberOption(args, 'p-value') !== undefined ? { pValue: numberOption(args, 'p-value') } : {}),
    ...(numberOption(args, 'small-sample-rows') !== undefined ? { smallSampleRows: numberOption(args, 'small-sample-rows') } : {}),
    ...(numberOption(args, 'wasserstein-threshold') !== undefined ? { wassersteinNorm: numberOption(args, 'wasserstein-threshold') } : {}),
    ...(numberOption(args, 'js-threshold') !== undefined ? { jensenShannon: numberOption(args, 'js-threshold') } : {}),
  };
  const missingTokens = ingestOptionsFrom(args).missingTokens;
  io.compareProgress?.sketching();
  const ref = profiles[refIndex];
  const pairs = profiles
    .map((p, i) => ({ p, i }))
    .filter(({ i }) => i !== refIndex)
    .map(({ p, i }) => {
      const c = compareStreams(ref, p, { thresholds, seed: numberOption(args, 'seed') ?? 42, labels: [labels[refIndex], labels[i]], skipDomainClassifier: flag(args, 'no-domain-classifier'), ...(missingTokens ? { missingTokens } : {}) });
      const comparison = { ...c, reference: { ...c.reference, file: files[refIndex] }, other: { ...c.other, file: files[i] }, referenceName: names[refIndex], otherName: names[i] };
      return { comparison, pair: streamPairComparison(c, names[refIndex], names[i]), unavailable: unavailableInputs(c, names[refIndex], names[i], flag(args, 'no-domain-classifier')) };
    });
  const recommendation = recommendStreams(pairs, profiles.map((p, i) => ({ name: names[i], rows: p.rows, label: labels[i] })));
  const first = pairs[0].comparison;
  const { referenceName: _r, otherName: _o, ...firstPair } = first;
  const doc: StreamCompareDocument = {
    ...firstPair,
    approximate: approximationNote(first.approximation).trim(),
    datasets: profiles.map((p, i) => ({ name: names[i], path: files[i], rows: p.rows, bytes: p.bytes, ...(labels[i] !== undefined ? { label: labels[i] } : {}) })),
    comparisons: pairs.map((x) => x.comparison),
    recommendation,
  };
  const html = stringOption(args, 'html');
  if (html !== undefined) {
    writeStreamCompareHtml(doc, resolve(io.cwd, html));
    if (!flag(args, 'json')) io.stderr.write(`wrote ${d(html)}\n`);
  }
  if (flag(args, 'json')) io.stdout.write(jsonText(JSON.stringify(doc, jsonNumbers, 2)) + '\n');
  else io.stdout.write(terminalText(renderStreamCompareDocument(doc)));
  return EXIT_OK;
}

/** Every pair, then the recommendation with its reasons and cautions (as the in-memory compare ends). */
export function renderStreamCompareDocument(doc: StreamCompareDocument): string {
  let out = '';
  for (const c of doc.comparisons) out += renderStreamCompare(c);
  const r = doc.recommendation;
  out += heading(`Recommendation: ${r.strategy.toUpperCase()} (streaming)`);
  for (const reason of r.reasons) out += `- ${d(reason)}\n`;
  if (r.cautions.length) {
    out += '\nCautions:\n';
    for (const c of r.cautions) out += `- ${d(c)}\n`;
  }
  return out;
}

/** `sampledKind` of a categorical column whose sampled cells read as dates or text (sampledKind.ts). */
function sampledKindField(p: StreamProfile, name: string, missingTokens?: readonly string[]): { sampledKind?: 'datetime' | 'text' } {
  const k = sampledKind(p, name, missingTokens);
  return k === 'categorical' ? {} : { sampledKind: k };
}

export function renderStreamProfile(p: StreamProfile, file: string): string {
  let out = heading(`${file}: ${p.rows} rows x ${p.columns.length} columns (streaming)`);
  out += approximationNote(p);
  const numeric = p.columns.filter((c) => c.kind === 'numeric');
  const categorical = p.columns.filter((c) => c.kind === 'categorical');
  if (numeric.length) {
    out += '\n' + renderTable(
      [{ header: 'column' }, { header: 'count', align: 'right' }, { header: 'missing', align: 'right' }, { header: 'mean', align: 'right' }, { header: 'std', align: 'right' }, { header: 'min', align: 'right' }, { header: '25%', align: 'right' }, { header: 'median', align: 'right' }, { header: '75%', align: 'right' }, { header: 'max', align: 'right' }],
      numeric.map((c) => [
        c.name,
        String(c.numbers),
        String(c.missing + c.odd),
        fmt(c.mean),
        c.numbers > 1 ? fmt(Math.sqrt(c.m2 / (c.numbers - 1))) : '-',
        fmt(c.sketch.min),
        bounded(c.sketch.quantile(0.25)),
        bounded(c.sketch.quantile(0.5)),
        bounded(c.sketch.quantile(0.75)),
        fmt(c.sketch.max),
      ]),
    );
  }
  if (categorical.length) {
    out += '\n' + renderTable(
      [{ header: 'column' }, { header: 'count', align: 'right' }, { header: 'missing', align: 'right' }, { header: 'top categories' }],
      categorical.map((c) => [
        c.name + ({ datetime: ' (dates)', text: ' (text)', categorical: '' } as const)[sampledKind(p, c.name)],
        String(c.odd + c.numbers),
        String(c.missing),
        c.categories.top(5).map((t) => `${t.value} ${c.categories.isExact ? t.count : `${t.count}..${t.count + c.categories.undercount}`}`).join(', ') + (c.categories.isExact ? '' : ` (more than ${c.categories.capacity} distinct)`),
      ]),
    );
  }
  return out;
}

/** profile's options for reading one chunk of a file in another process (what --jobs runs). */
export const chunkOptionSpecs: readonly OptionSpec[] = [
  { name: 'byte-range', kind: 'string', description: 'streaming: read only the records starting in bytes START:END of the file (a chunk; with --sketch-out)' },
  { name: 'sketch-out', kind: 'string', description: 'streaming: write the chunk\'s mergeable sketches as JSON to this file instead of a profile' },
];

export async function runStreamProfile(file: string, args: ParsedArgs, io: CliIO, why: string | undefined): Promise<number> {
  const sketchOut = stringOption(args, 'sketch-out');
  const rangeText = stringOption(args, 'byte-range');
  if (sketchOut !== undefined || rangeText !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(rangeText ?? '');
    if (!m || sketchOut === undefined) throw new UsageError('--byte-range START:END and --sketch-out FILE go together (they read one chunk for --jobs)');
    const ingest = ingestOptionsFrom(args);
    const p = streamProfile(resolve(io.cwd, file), {
      range: { start: Number(m[1]), end: Number(m[2]) },
      ...(ingest.delimiter ? { delimiter: ingest.delimiter } : {}),
      ...(ingest.missingTokens ? { missingTokens: ingest.missingTokens } : {}),
      seed: (numberOption(args, 'seed') ?? 42) + Number(m[1]),
    });
    writeFileSync(resolve(io.cwd, sketchOut), JSON.stringify(profileToJson(p)));
    return EXIT_OK;
  }
  if (why) io.stderr.write(`note: ${d(why)}\n`);
  const [p] = await readStreams([file], args, io);
  problems(p, file, io, flag(args, 'strict'));
  if (flag(args, 'json')) {
    const columns = p.columns.map((c) => ({
      name: c.name,
      type: c.kind,
      count: c.kind === 'numeric' ? c.numbers : c.numbers + c.odd,
      missing: c.kind === 'numeric' ? c.missing + c.odd : c.missing,
      ...(c.kind === 'numeric'
        ? { mean: c.mean, std: c.numbers > 1 ? Math.sqrt(c.m2 / (c.numbers - 1)) : null, min: c.sketch.min, max: c.sketch.max, exact: c.sketch.isExact, quantiles: [0.05, 0.25, 0.5, 0.75, 0.95].map((q) => ({ q, ...c.sketch.quantile(q) })) }
        : { exact: c.categories.isExact, undercount: c.categories.undercount, top: c.categories.top(10), ...sampledKindField(p, c.name, ingestOptionsFrom(args).missingTokens) }),
    }));
    io.stdout.write(jsonText(JSON.stringify({ mode: 'streaming', path: file, rows: p.rows, bytes: p.bytes, columns, approximate: approximationNote(p).trim() }, jsonNumbers, 2)) + '\n');
  } else io.stdout.write(terminalText(renderStreamProfile(p, file)));
  return EXIT_OK;
}
