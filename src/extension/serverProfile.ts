/**
 * The language server's live profile of an open CSV file (datasetLab/columnProfiles), written
 * as the document the CLI's `profile --json` prints (src/core/profile.ts's TableProfile), so
 * Profile shows the same thing whichever process computed it: the server runs core's
 * profileColumn on the table the CLI's ingest would read from the editor's text. Input problems
 * are in the Problems panel rather than in the document. Pure: unit tests call it without VS Code.
 */
import { datasetName } from '../core/ingest';
import type { CategoricalColumnProfile, NumericColumnProfile } from '../core/profile';
import type { ColumnProfile, ColumnProfilesRequest } from '../protocol/lsp';

export interface LiveTableProfile {
  /** Where the numbers come from, and how they differ from the CLI's profile. */
  readonly source: string;
  readonly name: string;
  readonly path: string;
  readonly rows: number;
  readonly delimiter: string;
  readonly columns: readonly (NumericColumnProfile | CategoricalColumnProfile)[];
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
    columns: result.columns.map(columnProfile),
  };
}

function columnProfile(c: ColumnProfile): NumericColumnProfile | CategoricalColumnProfile {
  const base = { name: c.name, count: c.count, missing: c.missing, distinct: c.distinct, typeErrors: c.typeErrors };
  if (c.type === 'categorical') {
    const top = (c.topCategories ?? []).map((t) => ({ value: t.value, count: t.count, share: t.count / c.count }));
    return { ...base, type: 'categorical', top };
  }
  // Over JSON a NaN arrives as null; the CLI's document has null there too.
  return {
    ...base,
    type: 'numeric',
    mean: finite(c.mean),
    std: c.count > 1 ? finite(c.std) : null,
    min: finite(c.min),
    max: finite(c.max),
    quantiles: (c.quantiles ?? []).map((q) => ({ q: q.q, value: finite(q.value) })),
    histogram: { edges: [...(c.histogramEdges ?? [])], counts: [...(c.histogram ?? [])] },
  };
}

function finite(x: number | null | undefined): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : NaN;
}
