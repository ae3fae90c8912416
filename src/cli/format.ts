/** Plain-text tables and number formatting for terminal output. */

export type Align = 'left' | 'right';

export interface TableColumn {
  readonly header: string;
  readonly align?: Align;
}

/** Render rows as an aligned text table with a header rule. Cells are already strings. */
export function renderTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => ((columns[i].align ?? 'left') === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(columns.map((_, i) => r[i] ?? '')));
  return out.join('\n') + '\n';
}

/** A number for people: 4 significant digits, exponent for very small or large magnitudes. */
export function fmt(x: number | undefined, digits = 4): string {
  if (x === undefined) return '';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e7) return x.toExponential(digits - 1);
  if (Number.isInteger(x) && a < 1e7) return String(x);
  return String(Number(x.toPrecision(digits)));
}

export function pvalue(p: number | undefined): string {
  if (p === undefined) return '';
  if (p < 1e-16) return '<1e-16';
  return fmt(p, 3);
}

export function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export function heading(title: string): string {
  return `\n${title}\n${'='.repeat(title.length)}\n`;
}
