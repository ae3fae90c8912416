/**
 * A CSV whose column names say nothing about its label, for the label pickers' tests (unit and
 * integration): by names alone its last column, dates, would be offered first; by kinds, `grp`
 * (three groups) is the label and `x1` a numeric target, while `row` (row numbers), `code`
 * (distinct codes), `note` (prose), `k` (a constant) and `when` (dates) are no labels.
 */
export function anonymousCsv(rows: number, seed = 0): string {
  const words = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'a', 'lazy', 'dog', 'again'];
  const lines = ['row,code,x1,grp,note,k,when'];
  for (let i = 0; i < rows; i++) {
    const note = Array.from({ length: 5 }, (_, j) => words[(i * 7 + j * 3 + seed) % words.length]).join(' ') + ` ${i}`;
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(`${i + 1},C${(i * 7919) % 100000},${(Math.sin(i + seed) * 10).toFixed(3)},${['north', 'south', 'east'][i % 3]},"${note}",same,2024-03-${day}`);
  }
  return lines.join('\n') + '\n';
}
