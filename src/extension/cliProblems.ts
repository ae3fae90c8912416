/**
 * Reading the CLI's stderr in the extension host: located problems (`file:line:column:
 * message`) and one-line fatal errors (`dataset-lab: file: message`). Pure, so unit tests
 * cover it without VS Code; InputProblems turns the result into diagnostics.
 */
import { DATA_FILE_EXTENSIONS, LINELESS_EXTENSIONS } from '../protocol/files';

export interface LocatedProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly code?: string;
}

const LOCATED = /^(.+?):(\d+):(\d+): (.*)$/;
/** Parquet and Arrow files have no lines: their problems are printed with the file alone (problemLocation). */
const LINELESS = new RegExp(`^(.+?\\.(?:${LINELESS_EXTENSIONS.map((e) => e.slice(1)).join('|')})): (.*)$`, 'i');
/** Fatal errors name the file the CLI could not read: a table, or an experiment / text file. */
const FATAL = new RegExp(`^dataset-lab: (.+?\\.(?:${[...DATA_FILE_EXTENSIONS, '.txt', '.json'].map((e) => e.slice(1)).join('|')})): (.*)$`, 'i');

/** Parse the CLI's stderr: `file:line:col: message` lines, Parquet / Arrow `file: message` lines (at line 1) and one-line fatal errors. */
export function parseCliProblems(stderr: string): LocatedProblem[] {
  const out: LocatedProblem[] = [];
  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw.trim();
    let m = LOCATED.exec(line);
    if (m && !line.startsWith('dataset-lab:')) {
      out.push({ file: m[1], line: Number(m[2]), column: Number(m[3]), message: m[4] });
      continue;
    }
    m = FATAL.exec(line);
    if (m) {
      out.push({ file: m[1], line: 1, column: 1, message: m[2] });
      continue;
    }
    m = LINELESS.exec(line);
    if (m && !line.startsWith('dataset-lab:')) out.push({ file: m[1], line: 1, column: 1, message: m[2] });
  }
  return out;
}

/** The first error line of the CLI's stderr, without the program prefix. */
export function cliErrorMessage(stderr: string, fallback: string): string {
  const line = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l.startsWith('dataset-lab:'));
  return line ? line.replace(/^dataset-lab:\s*/, '') : fallback;
}
