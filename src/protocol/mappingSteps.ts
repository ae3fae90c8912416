/**
 * The transform steps the compare view offers ("Use this mapping") for the other dataset of a
 * pair, as they are written into an experiment file's `datasets[i].transform` (docs/training.md):
 * a suggested name mapping becomes a `rename` to the reference's name, a unit difference a
 * `derive` that brings the other column into the reference's units under the reference's name.
 * Pure: the webview builds steps with it, the extension writes them, tests check both.
 */

/** A step exactly as it appears in the experiment file. */
export type MappingStep = { readonly rename: Readonly<Record<string, string>> } | { readonly derive: Readonly<Record<string, string>> };

/** A number for an expression: at most 12 significant digits, no exponent for ordinary sizes. */
function literal(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** `other` in the other dataset is `reference` in the reference dataset. */
export function renameStep(reference: string, other: string): MappingStep {
  return { rename: { [other]: reference } };
}

/** other = factor x reference: the reference's column from the other's values. */
export function unitStep(reference: string, other: string, factor: number): MappingStep {
  const column = `d[${JSON.stringify(other)}]`;
  const expr = factor >= 1 ? `d => ${column} / ${literal(factor)}` : `d => ${column} * ${literal(1 / factor)}`;
  return { derive: { [reference]: expr } };
}

/** One line for buttons and messages: `rename "tmax" to "Temp (max)"`, `derive "body_mass_g" = "body_mass_kg" x 1000`. */
export function describeStep(step: MappingStep): string {
  if ('rename' in step) return Object.entries(step.rename).map(([from, to]) => `rename "${from}" to "${to}"`).join(', ');
  return Object.entries(step.derive).map(([to, expr]) => `derive "${to}" = ${expr.replace(/^d => /, '')}`).join(', ');
}
