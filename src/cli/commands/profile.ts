import { profileTable, type ColumnProfile, type TableProfile } from '../../core/profile';
import { flag, numberOption, parseArgs, UsageError, type OptionSpec } from '../args';
import { EXIT_OK, type CliCommand } from '../command';
import { fmt, heading, jsonText, percent, renderTable, terminalText } from '../format';
import { ingestOptionSpecs, loadTables } from '../loadTables';
import { chunkOptionSpecs, runStreamProfile, streamDecision, streamOptionSpecs } from '../stream';
import { jsonNumbers } from './compare';

const options: readonly OptionSpec[] = [
  { name: 'json', kind: 'boolean', description: 'print one JSON document to stdout' },
  { name: 'bins', kind: 'string', description: 'histogram bins for numeric columns (default 20)' },
  { name: 'top', kind: 'string', description: 'top categories listed per categorical column (default 10)' },
  ...ingestOptionSpecs,
  ...streamOptionSpecs,
  ...chunkOptionSpecs,
];

const BARS = ' ▁▂▃▄▅▆▇█';

/** A histogram as a row of block characters, for the terminal. */
export function sparkline(counts: readonly number[]): string {
  const max = Math.max(...counts, 0);
  if (max === 0) return '';
  return counts.map((c) => BARS[c === 0 ? 0 : Math.max(1, Math.round((c / max) * (BARS.length - 1)))]).join('');
}

function q(c: ColumnProfile, p: number): number | undefined {
  return c.type === 'numeric' ? c.quantiles.find((x) => x.q === p)?.value : undefined;
}

export function renderProfile(p: TableProfile): string {
  let out = heading(`${p.name}: ${p.rows} rows x ${p.columns.length} columns (${p.path})`);
  const numeric = p.columns.filter((c) => c.type === 'numeric');
  const categorical = p.columns.filter((c) => c.type === 'categorical');
  if (numeric.length) {
    out += '\n' + renderTable(
      [
        { header: 'column' },
        { header: 'count', align: 'right' },
        { header: 'missing', align: 'right' },
        { header: 'mean', align: 'right' },
        { header: 'std', align: 'right' },
        { header: 'min', align: 'right' },
        { header: '25%', align: 'right' },
        { header: '50%', align: 'right' },
        { header: '75%', align: 'right' },
        { header: 'max', align: 'right' },
        { header: 'histogram' },
      ],
      numeric.map((c) => {
        if (c.type !== 'numeric') return [];
        return [
          c.name + (c.typeErrors ? ` (${c.typeErrors} bad)` : ''),
          String(c.count),
          c.missing ? `${c.missing} (${percent(c.missing / Math.max(1, p.rows))})` : '0',
          fmt(c.mean),
          fmt(c.std ?? undefined),
          fmt(c.min),
          fmt(q(c, 0.25)),
          fmt(q(c, 0.5)),
          fmt(q(c, 0.75)),
          fmt(c.max),
          sparkline(c.histogram.counts),
        ];
      }),
    );
  }
  if (categorical.length) {
    out += '\n' + renderTable(
      [{ header: 'column' }, { header: 'count', align: 'right' }, { header: 'missing', align: 'right' }, { header: 'distinct', align: 'right' }, { header: 'top values' }],
      categorical.map((c) => [
        c.name,
        String(c.count),
        String(c.missing),
        String(c.distinct),
        c.type === 'categorical' ? c.top.slice(0, 5).map((t) => `${t.value} ${percent(t.share)}`).join(', ') : '',
      ]),
    );
  }
  const text = p.columns.filter((c) => c.type === 'text');
  if (text.length) {
    out += '\n' + renderTable(
      [
        { header: 'text column' },
        { header: 'count', align: 'right' },
        { header: 'missing', align: 'right' },
        { header: 'distinct', align: 'right' },
        { header: 'chars mean', align: 'right' },
        { header: 'median', align: 'right' },
        { header: 'max', align: 'right' },
        { header: 'vocabulary', align: 'right' },
        { header: 'non-ASCII', align: 'right' },
        { header: 'top tokens' },
      ],
      text.map((c) => {
        if (c.type !== 'text') return [];
        return [
          c.name,
          String(c.count),
          String(c.missing),
          String(c.distinct),
          fmt(c.length.mean),
          fmt(c.length.quantiles.find((x) => x.q === 0.5)?.value),
          fmt(c.length.max),
          String(c.vocabulary),
          percent(c.nonAsciiShare),
          c.topTokens.slice(0, 5).map((t) => `${t.token} ${percent(t.share)}`).join(', '),
        ];
      }),
    );
  }
  const dates = p.columns.filter((c) => c.type === 'datetime');
  if (dates.length) {
    out += '\n' + renderTable(
      [
        { header: 'datetime column' },
        { header: 'count', align: 'right' },
        { header: 'missing', align: 'right' },
        { header: 'format' },
        { header: 'from' },
        { header: 'to' },
        { header: 'granularity' },
        { header: 'gaps' },
        { header: 'zones' },
        { header: 'per month' },
      ],
      dates.map((c) =>
        c.type !== 'datetime'
          ? []
          : [
              c.name + (c.typeErrors ? ` (${c.typeErrors} bad)` : ''),
              String(c.count),
              String(c.missing),
              c.format,
              c.min ?? '-',
              c.max ?? '-',
              c.granularity?.label ?? '-',
              c.gaps.count ? `${c.gaps.count} (${c.gaps.missingSteps} missing)` : 'none',
              c.zones.length ? c.zones.slice(0, 3).map((z) => z.offset).join(' ') : '-',
              sparkline(c.parts.month),
            ],
      ),
    );
  }
  if (p.problemCount) out += `\n${p.problemCount} input problem(s) reported on stderr.\n`;
  return out;
}

export const profileCommand: CliCommand = {
  name: 'profile',
  usage: 'profile FILE [--json]',
  summary: 'Profile one data file: per-column kind, count, missing, distinct; numbers (mean, std, quantiles, histogram), categories, text (lengths, vocabulary, top tokens), dates (range, granularity, gaps).',
  options,
  async run(argv, io) {
    const args = parseArgs(argv, options);
    if (args.positionals.length !== 1) throw new UsageError('profile takes exactly one CSV file');
    const streaming = streamDecision(args.positionals, args, io.cwd);
    if (streaming.stream) return runStreamProfile(args.positionals[0], args, io, streaming.why);
    if (streaming.note) io.stderr.write(`note: ${streaming.note}\n`);
    const [table] = await loadTables(args.positionals, args, io);
    const bins = numberOption(args, 'bins');
    const top = numberOption(args, 'top');
    const profile = profileTable(table, { ...(bins !== undefined ? { bins } : {}), ...(top !== undefined ? { topCategories: top } : {}) });
    if (flag(args, 'json')) io.stdout.write(jsonText(JSON.stringify(profile, jsonNumbers, 2)) + '\n');
    else io.stdout.write(terminalText(renderProfile(profile)));
    return EXIT_OK;
  },
};
