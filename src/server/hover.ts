/**
 * `textDocument/hover` on a header cell of a CSV/TSV document: the column's profile (type,
 * missing, distinct, summary statistics and a histogram or the top categories) and, for a file
 * an experiment pairs, the partner's matching column with the drift verdict and statistics.
 */
import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver/node';
import { profileColumn, type DatetimeColumnProfile } from '../core/profile';
import { normalizeColumnName } from '../core/schemaAlign';
import { formatNumber, formatPValue } from '../protocol/format';
import { characterLength, countTokens, hasNonAscii, topTokens } from '../core/text/tokens';
import { exactDistinct, sparkline, type ColumnStats } from './columnStats';
import { driftEvidence } from './crossDiagnostics';
import type { CsvDocument } from './csvDocument';
import type { CsvModel } from './csvModel';
import { datetimeColumn, keptRowsOf } from './modelTable';
import { Locator } from './locator';
import type { Partners } from './partners';
import type { ServerState } from './serverState';

/** Statistics as every view writes them (src/protocol/format.ts): 4 significant digits, "mean 3,373" not "mean 3372.7008". */
const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : formatNumber(x));

function headerColumnAt(st: CsvDocument, line: number, character: number): number {
  const model = st.model;
  if (!model) return -1;
  const loc = new Locator(model);
  for (let c = 0; c < model.header.length; c++) {
    const r = loc.headerCell(c);
    if (r.start.line === line && r.start.character <= character && character <= r.end.character) return c;
  }
  return -1;
}

export async function hover(params: HoverParams, state: ServerState, partners: Partners): Promise<Hover | null> {
  const st = state.syncedDoc(params.textDocument.uri);
  if (!st?.model || st.needsFull) return null;
  const c = headerColumnAt(st, params.position.line, params.position.character);
  if (c < 0) return null;
  const model = st.model;
  const tol = state.settings.diagnostics.numericTolerance;
  const s = st.stats!.get(c, tol);
  const parts = [profileMarkdown(model.cols[c].name, s, model.rows, exactDistinct(model, c, s), model.cols[c].strings, datetimeProfile(model, c, s))];
  for (const p of partners.pairingsOf(st.uri)) {
    for (const side of await partners.partnerSides(p)) {
      const key = normalizeColumnName(model.cols[c].name === p.self.label && side.label ? side.label : model.cols[c].name);
      const pc = side.model.cols.findIndex((col) => normalizeColumnName(col.name) === key);
      const title = `Partner "${side.dataset.name}"`;
      if (pc < 0) {
        parts.push(`**${title}**: no column "${model.cols[c].name}"`);
        continue;
      }
      let drift = '';
      side.comparison = partners.compare(st, model, st.stats!, p, side);
      const f = side.comparison?.features.find((x) => x.name === model.cols[c].name);
      if (f) {
        const stat = [
          f.ks ? `KS ${f.ks.statistic.toFixed(3)} (p ${formatPValue(f.ks.pvalue)})` : '',
          f.chi2 ? `chi-squared ${formatNumber(f.chi2.statistic)} (p ${formatPValue(f.chi2.pvalue)}, dof ${f.chi2.dof})` : '',
          f.wassersteinNorm !== undefined ? `Wasserstein/std ${f.wassersteinNorm.toFixed(3)}` : '',
          `PSI ${f.psi.toFixed(3)}`,
          `JS ${f.jensenShannon.toFixed(3)}`,
        ].filter((x) => x !== '');
        drift = `\n\n${f.drift ? '**drift**' : 'no drift'}: ${f.drift ? driftEvidence(f) : `${f.method} ${f.verdictValue.toPrecision(3)} vs threshold ${f.threshold}`}  \n${stat.join(' · ')}`;
      }
      const ps = side.stats.get(pc, tol);
      parts.push(`**${title}**\n\n${profileMarkdown(side.model.cols[pc].name, ps, side.model.rows, exactDistinct(side.model, pc, ps), side.model.cols[pc].strings, datetimeProfile(side.model, pc, ps))}${drift}`);
    }
  }
  const range = new Locator(model).headerCell(c);
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range };
}

/**
 * Length and vocabulary lines of a text column, from its distinct (trimmed) texts and how many
 * cells hold each: characters per cell (mean, median, max), tokens, vocabulary, the most
 * frequent tokens and the share of cells with non-ASCII characters (src/core/text/tokens.ts).
 */
function textLines(strings: readonly string[], codeCounts: Int32Array): string[] {
  const { counts, total } = countTokens(strings, codeCounts);
  const lengths: [number, number][] = [];
  let cells = 0;
  let chars = 0;
  let nonAscii = 0;
  for (let k = 0; k < strings.length; k++) {
    const n = codeCounts[k];
    if (!(n > 0)) continue;
    const len = characterLength(strings[k]);
    lengths.push([len, n]);
    cells += n;
    chars += n * len;
    if (hasNonAscii(strings[k])) nonAscii += n;
  }
  if (cells === 0) return [];
  lengths.sort((a, b) => a[0] - b[0]);
  const at = (rank: number) => {
    let seen = 0;
    for (const [len, n] of lengths) if ((seen += n) > rank) return len;
    return lengths[lengths.length - 1][0];
  };
  const median = cells % 2 ? at((cells - 1) / 2) : (at(cells / 2 - 1) + at(cells / 2)) / 2;
  const top = topTokens(counts, 8).map(([t, n]) => `\`${t}\` ${((n / total) * 100).toFixed(1)}%`);
  return [
    `length (characters): mean ${fmt(chars / cells)} · median ${fmt(median)} · max ${fmt(lengths[lengths.length - 1][0])}`,
    `${total} tokens · vocabulary ${counts.size} · ${fmt(total / cells)} tokens per cell · non-ASCII ${((nonAscii / cells) * 100).toFixed(1)}% of cells`,
    `top tokens: ${top.join(', ')}`,
  ];
}

/** Core's profile of a datetime column of the model, over the rows the ingest reads. */
function datetimeProfile(model: CsvModel, c: number, s: ColumnStats): DatetimeColumnProfile | undefined {
  if (s.type !== 'datetime' || !s.date) return undefined;
  const p = profileColumn(datetimeColumn(model, c, s.date, keptRowsOf(model), s.missing));
  return p.type === 'datetime' ? p : undefined;
}

/** Range, granularity, gaps and zones of a date column, for a hover. */
function datetimeLines(p: DatetimeColumnProfile): string[] {
  const lines = [`format \`${p.format}\` · ${p.min ?? '-'} to ${p.max ?? '-'}${p.spanDays !== null ? ` (${fmt(p.spanDays)} days)` : ''}`];
  if (p.granularity) {
    lines.push(`granularity ${p.granularity.label} · ${p.gaps.count === 0 ? 'no gaps' : `${p.gaps.count} gap(s), ${p.gaps.missingSteps} missing step(s); largest after ${p.gaps.largest[0].after} (${p.gaps.largest[0].missingSteps} missing)`}`);
  }
  if (p.zones.length) lines.push(`zones: ${p.zones.slice(0, 4).map((z) => `${z.offset} ${z.count}`).join(', ')}`);
  lines.push('per month `' + sparkline(p.parts.month) + '` · per weekday `' + sparkline(p.parts.dayOfWeek) + '`');
  return lines;
}

/** A column's profile as hover Markdown; `strings` are the model's texts of the column (by code). */
export function profileMarkdown(name: string, s: ColumnStats, rows: number, distinct: number, strings: readonly string[] = [], dates?: DatetimeColumnProfile): string {
  const missingShare = rows ? ((s.missing + (rows - s.present)) / rows) * 100 : 0;
  const lines = [`**${name}** · ${s.type} · ${rows} rows`, `missing ${s.missing + (rows - s.present)} (${missingShare.toFixed(1)}%) · distinct ${distinct}`];
  if (s.type === 'numeric') {
    lines.push(`mean ${fmt(s.mean)} · std ${fmt(s.std)}`, `min ${fmt(s.min)} · median ${fmt(s.median)} · max ${fmt(s.max)}`, '`' + sparkline(s.histogram) + '`');
  } else if (s.type === 'text') {
    lines.push(...textLines(strings, s.codeCounts));
  } else if (dates) {
    lines.push(...datetimeLines(dates));
  } else {
    const total = s.count || 1;
    const top = s.categories.slice(0, 5).map(([v, n]) => `\`${v}\` ${n} (${((n / total) * 100).toFixed(1)}%)`);
    lines.push(`top: ${top.join(', ')}${s.categories.length > 5 ? `, ... ${s.categories.length - 5} more` : ''}`);
    lines.push('`' + sparkline(s.categories.slice(0, 10).map(([, n]) => n)) + '`');
  }
  return lines.join('  \n');
}
