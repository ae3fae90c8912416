/**
 * Cells that are almost numbers: the readings the type-mismatch diagnostic names and its quick
 * fixes write (one cell, or every such cell of the column).
 */
/** A way to read a cell that is not a number as one: what it would be written as. */
export interface NumberRepair {
  readonly kind: 'thousands' | 'decimal-comma';
  readonly text: string;
}

/**
 * Readings of a non-number cell as a number written with a thousands separator ("1,234.5") or
 * a decimal comma ("3,5"). "1,234" fits both: both are returned, the thousands reading first.
 */
export function numberRepairs(value: string): NumberRepair[] {
  const out: NumberRepair[] = [];
  if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(value)) out.push({ kind: 'thousands', text: value.replace(/,/g, '') });
  if (/^[+-]?\d+,\d+$/.test(value)) out.push({ kind: 'decimal-comma', text: value.replace(',', '.') });
  return out;
}
