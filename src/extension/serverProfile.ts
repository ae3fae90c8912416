/**
 * The language server's live profile of an open CSV file (datasetLab/columnProfiles), written
 * as the document the CLI's `profile --json` prints (src/core/profile.ts's TableProfile), so
 * Profile shows the same thing whichever process computed it: the server runs core's
 * profileColumn on the table the CLI's ingest would read from the editor's text. Input problems
 * are in the Problems panel rather than in the document. Pure: unit tests call it without VS Code.
 */
import { datasetName } from '../core/ingest';
import type { ColumnProfile } from '../core/profile';
import type { ColumnProfilesRequest } from '../protocol/lsp';

export interface LiveTableProfile {
  /** Where the numbers come from, and how they differ from the CLI's profile. */
  readonly source: string;
  readonly name: string;
  readonly path: string;
  readonly rows: number;
  readonly delimiter: string;
  readonly columns: readonly ColumnProfile[];
}

export const LIVE_PROFILE_SOURCE = 'language server';

/** `path` is the file's path as the CLI would print it (the extension passes absolute paths). */
export function liveTableProfile(result: ColumnProfilesRequest.Result, path: string): LiveTableProfile {
  return {
    source:
      `${LIVE_PROFILE_SOURCE}: the editor's text (version ${result.version}), profiled as the CLI profiles the file; ` +
      'input problems are in the Problems panel.',
    name: datasetName(path),
    path,
    rows: result.rows,
    delimiter: result.delimiter,
    // Core's profile as the server computed it; NaN came over JSON as null, where the CLI's
    // `profile --json` has null too.
    columns: result.columns,
  };
}
