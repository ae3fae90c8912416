/**
 * The language server's live profile of an open CSV file (datasetLab/columnProfiles), written
 * as the document the CLI's `profile --json` prints (src/core/profile.ts's TableProfile), so
 * Profile shows the same thing whichever process computed it. What the server does not compute
 * is left out, and the document's `source` says so. Pure: unit tests call it without VS Code.
 */
import { datasetName } from '../core/ingest';
import type { CategoricalColumnProfile, NumericColumnProfile } from '../core/profile';
import type { ColumnProfile, ColumnProfilesRequest } from '../protocol/lsp';

/** A numeric column as the server knows it: no type-error count, the median as the only quantile, 10 histogram bins. */
export type LiveNumericColumnProfile = Omit<NumericColumnProfile, 'typeErrors'>;

export interface LiveTableProfile {
  /** Where the numbers come from, and how they differ from the CLI's profile. */
  readonly source: string;
  readonly name: string;
  readonly path: string;
  readonly rows: number;
  readonly delimiter: string;
  readonly columns: readonly (LiveNumericColumnProfile | CategoricalColumnProfile)[];
}

export const LIVE_PROFILE_SOURCE = 'language server';

/** `path` is the file's path as the CLI would print it (the extension passes absolute paths). */
export function liveTableProfile(result: ColumnProfilesRequest.Result, path: string): LiveTableProfile {
  return {
    source:
      `${LIVE_PROFILE_SOURCE}: the editor's text (version ${result.version}). Unlike the CLI's profile, numeric columns ` +
      'have 10 histogram bins (not 20), the median as their only quantile and no type-error count; input problems are in the Problems panel.',
    name: datasetName(path),
    path,
    rows: result.rows,
    delimiter: result.delimiter,
    columns: result.columns.map(columnProfile),
  };
}

function columnProfile(c: ColumnProfile): LiveNumericColumnProfile | CategoricalColumnProfile {
  const base = { name: c.name, count: c.count, missing: c.missing, distinct: c.distinct };
  if (c.type === 'categorical') {
    // A categorical column has no type errors (every value is a category), as in the core profile.
    const top = (c.topCategories ?? []).map((t) => ({ value: t.value, count: t.count, share: t.count / c.count }));
    return { ...base, type: 'categorical', typeErrors: 0, top };
  }
  // Over JSON a NaN arrives as null; the CLI's document has null there too.
  const min = finite(c.min);
  const max = finite(c.max);
  const counts = [...(c.histogram ?? [])];
  return {
    ...base,
    type: 'numeric',
    mean: finite(c.mean),
    std: c.count > 1 ? finite(c.std) : null,
    min,
    max,
    quantiles: [{ q: 0.5, value: finite(c.median) }],
    histogram: { edges: binEdges(min, max, counts.length), counts },
  };
}

/** The server's equal-width bins (columnStats.ts): bin i holds min + i * width <= x < min + (i + 1) * width, the last bin also x = max. */
function binEdges(min: number, max: number, bins: number): number[] {
  if (bins === 0 || !Number.isFinite(min) || !Number.isFinite(max)) return [];
  const width = (max - min) / bins;
  const edges: number[] = [];
  for (let i = 0; i < bins; i++) edges.push(i * width + min);
  edges.push(max);
  return edges;
}

function finite(x: number | null | undefined): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : NaN;
}
