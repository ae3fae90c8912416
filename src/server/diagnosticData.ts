/**
 * What every diagnostic of the server shares: its `source`, and the data a diagnostic carries
 * for the quick fixes that answer it (textDocument/codeAction sends the diagnostic back).
 */
import type { Range } from 'vscode-languageserver';

export const SOURCE = 'dataset-lab';

/** What a diagnostic carries for code actions (`Diagnostic.data`). */
export interface DiagnosticData {
  readonly column?: string;
  readonly value?: string;
  /** Partner column to rename this one to. */
  readonly renameTo?: string;
  /** Experiment file that pairs this document (for "exclude column"). */
  readonly experiment?: string;
  /** Index of the dataset entry in the experiment. */
  readonly datasetIndex?: number;
  /**
   * The partner's column a finding of the pair matches with this one (a column spelt differently
   * in each file): its file, name, header cell and delimiter when the finding was made, for the quick fix
   * that renames it there instead.
   */
  readonly partner?: { readonly uri: string; readonly column: string; readonly range: Range; readonly delimiter: string };
}
