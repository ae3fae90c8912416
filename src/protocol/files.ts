/**
 * The file names read as tables, for every process. Two lists: the CSV/TSV files (the language
 * server's documents and watcher, the CSV languages) and every data file the engine reads (the
 * extension's pickers and explorer menus: CSV plus Parquet, Arrow IPC and JSON Lines). A unit
 * test checks package.json against both, and the engine's readers (src/core/readers/formats.ts)
 * against DATA_FILE_EXTENSIONS. Pure: no Node, no vscode.
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

/** Binary table files: they have no lines, so their problems are located by the file (and the row in the message). */
export const LINELESS_EXTENSIONS = ['.parquet', '.arrow', '.feather'] as const;

const LINELESS_NAME = new RegExp(`\\.(${LINELESS_EXTENSIONS.map((e) => e.slice(1)).join('|')})$`, 'i');

/** True when a path names a Parquet or Arrow file (any case). */
export function isLinelessPath(path: string): boolean {
  return LINELESS_NAME.test(path);
}

/** Every table file the engine reads (CSV/TSV, Parquet, Arrow IPC, Feather, JSON Lines); the language server stays with CSV_EXTENSIONS. */
export const DATA_FILE_EXTENSIONS = [...CSV_EXTENSIONS, ...LINELESS_EXTENSIONS, '.jsonl'] as const;

const dataBare = DATA_FILE_EXTENSIONS.map((e) => e.slice(1));

/** A glob of every data file, in both cases (see CSV_GLOB). */
export const DATA_FILE_GLOB = `**/*.{${[...dataBare, ...dataBare.map((e) => e.toUpperCase())].join(',')}}`;

const DATA_NAME = new RegExp(`\\.(${dataBare.join('|')})$`, 'i');

/** True when a path or URI names a data file the engine reads (any case). */
export function isDataFilePath(pathOrUri: string): boolean {
  return DATA_NAME.test(pathOrUri);
}
