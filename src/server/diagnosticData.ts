/**
 * What every diagnostic of the server shares: its `source`, and the data a diagnostic carries
 * for the quick fixes that answer it (textDocument/codeAction sends the diagnostic back).
 */
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
}
