/**
 * The file names read as delimited tables, for every process: the extension's pickers and
 * explorer filters, the language server's document and watcher filters, and package.json's
 * menus (a unit test checks package.json against this list). Pure: no Node, no vscode.
 */

/** Extensions, lower case with the dot. `.tab` is the tab-separated spelling some tools write. */
export const CSV_EXTENSIONS = ['.csv', '.tsv', '.tab'] as const;

/** The extensions whose delimiter is a tab whatever the first line looks like. */
export const TAB_SEPARATED_EXTENSIONS: readonly string[] = ['.tsv', '.tab'];

const bare = CSV_EXTENSIONS.map((e) => e.slice(1));

/** A glob for workspace searches and file watchers; globs match case-sensitively, so both cases are listed. */
export const CSV_GLOB = `**/*.{${[...bare, ...bare.map((e) => e.toUpperCase())].join(',')}}`;

const CSV_NAME = new RegExp(`\\.(${bare.join('|')})$`, 'i');
const TAB_NAME = new RegExp(`\\.(${TAB_SEPARATED_EXTENSIONS.map((e) => e.slice(1)).join('|')})$`, 'i');

/** True when a path or URI names a CSV/TSV file (any case). */
export function isCsvPath(pathOrUri: string): boolean {
  return CSV_NAME.test(pathOrUri);
}

/** True when a path or URI names a file that is tab-separated by its extension. */
export function isTabSeparatedPath(pathOrUri: string): boolean {
  return TAB_NAME.test(pathOrUri);
}
