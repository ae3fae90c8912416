/** Plain-text tables and number formatting for terminal output. */
import { formatNumber, formatPercent, formatPValue } from '../protocol/format';

/**
 * Characters a terminal acts on rather than shows: C0 controls (ESC starts colour, cursor,
 * title and hyperlink sequences), DEL, C1 controls (U+009B is a one-character CSI on some
 * terminals), and the bidirectional marks and overrides that reorder what is displayed.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_LAYOUT = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/**
 * A value from the data (a column name, a cell, a file name) as it may be shown on a terminal:
 * every control character is written visibly (`\x1b`, `\t`, `\n`, `\u202e`), so the value can
 * neither drive the terminal nor break the layout it sits in.
 */
export function displayText(value: string): string {
  return value.replace(CONTROL, visible);
}

/**
 * Human-readable output as a whole: like displayText, but newlines stay, being the layout (our
 * tables align with spaces, so a tab can only come from the data). The last line of defence for
 * text that mixes our layout with data.
 */
export function terminalText(text: string): string {
  return text.replace(CONTROL_BUT_LAYOUT, visible);
}

/**
 * A JSON document for stdout, the same value but with DEL, C1 and the bidirectional controls
 * written as \u escapes (JSON.stringify escapes only C0), so printing it to a terminal is safe.
 */
export function jsonText(json: string): string {
  return json.replace(/[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export type Align = 'left' | 'right';

export interface TableColumn {
  readonly header: string;
  readonly align?: Align;
}

/** Render rows as an aligned text table with a header rule. Cells are already strings. */
export function renderTable(columnsIn: readonly TableColumn[], rowsIn: readonly (readonly string[])[]): string {
  const columns = columnsIn.map((c) => ({ ...c, header: displayText(c.header) }));
  const rows = rowsIn.map((r) => r.map(displayText));
  // A loop, not Math.max(...rows): a spread passes every row as an argument and overflows the stack.
  const widths = columns.map((c) => c.header.length);
  for (const r of rows) columns.forEach((_, i) => (widths[i] = Math.max(widths[i], (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => ((columns[i].align ?? 'left') === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(columns.map((_, i) => r[i] ?? '')));
  return out.join('\n') + '\n';
}

/**
 * Numbers on the terminal are written by the one formatting module the dashboard and the
 * language server use too (src/protocol/format.ts); these names stay for the commands.
 */
export function fmt(x: number | undefined, digits = 4): string {
  return x === undefined ? '' : formatNumber(x, digits);
}

export function pvalue(p: number | undefined): string {
  return p === undefined ? '' : formatPValue(p);
}

export function percent(x: number): string {
  return formatPercent(x, 1);
}

export function heading(titleIn: string): string {
  const title = displayText(titleIn);
  return `\n${title}\n${'='.repeat(title.length)}\n`;
}
