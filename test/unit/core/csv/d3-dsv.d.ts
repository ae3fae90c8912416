// d3-dsv ships no types; the tests use it as an independent reference parser.
declare module 'd3-dsv' {
  export function csvParseRows(text: string): string[][];
}
