/**
 * Which column of a file is most likely its label, for the label pickers: pure (no vscode), so
 * unit tests call it. Only column names and positions are used (pickers read no data).
 */

/** Column names that usually hold what is predicted. */
const LABEL_NAMES = /^(label|labels|target|class|classes|y|outcome|response|category|species|diagnosis|churn|survived|default|fraud|is_?fraud|spam|sentiment|rating|price|quality|grade|result|status|weather)$/i;
const LABEL_WORDS = /(^|[_\s-])(label|target|class|outcome)($|[_\s-])/i;
/** Column names that are rarely labels: ids and times. */
const NOT_LABEL = /(^|[_\s-])(id|uuid|key|index|date|time|timestamp|name)($|[_\s-])/i;

/**
 * How likely each column is the label, best first: the partner's label or the last one used,
 * a label-like name, the last column (where labels usually sit), never an id or a date.
 */
export function rankLabelColumns(columns: readonly string[], hints: { readonly last?: string; readonly partner?: string } = {}): { column: string; reason: string }[] {
  const scored = columns.map((column, i) => {
    // The strongest reason wins; ids and times sink below every other column.
    const reasons: [number, string][] = [];
    if (hints.partner && column.toLowerCase() === hints.partner.toLowerCase()) reasons.push([100, 'the label of the previous file']);
    if (hints.last && column === hints.last) reasons.push([80, 'last used']);
    if (LABEL_NAMES.test(column.trim())) reasons.push([60, 'likely label (its name)']);
    else if (LABEL_WORDS.test(column)) reasons.push([50, 'likely label (its name)']);
    if (i === columns.length - 1 && !NOT_LABEL.test(column)) reasons.push([20, 'likely label (last column)']);
    const best = reasons.sort((a, b) => b[0] - a[0])[0];
    const score = (best?.[0] ?? 0) + reasons.length * 0.1 - (NOT_LABEL.test(column) ? 30 : 0);
    return { column, reason: best?.[1] ?? '', score, i };
  });
  return scored.sort((a, b) => b.score - a.score || a.i - b.i).map(({ column, reason }) => ({ column, reason }));
}
