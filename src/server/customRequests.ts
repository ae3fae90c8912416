/**
 * The server's own messages (src/protocol/lsp.ts): `datasetLab/columnProfiles` (the profile of
 * an open CSV document from its live model), `datasetLab/pairings` (which experiments pair a
 * file) and `datasetLab/diskFiles` (files to check from disk, handled by documents.ts).
 */
import { pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { ColumnProfilesRequest, DiskFilesNotification, PairingsRequest, type ColumnProfile } from '../protocol/lsp';
import { exactDistinct, type ColumnStats } from './columnStats';
import type { Documents } from './documents';
import type { Partners } from './partners';
import type { ServerState } from './serverState';

export function registerCustomRequests(connection: Connection, state: ServerState, documents: Documents, partners: Partners): void {
  connection.onNotification(DiskFilesNotification.type, (p) => documents.setDiskFiles(Array.isArray(p?.uris) ? p.uris.filter((u): u is string => typeof u === 'string') : []));
  connection.onRequest(ColumnProfilesRequest.type, (p) => {
    const st = state.syncedDoc(p.uri);
    if (!st?.model || st.needsFull) return null;
    const tol = state.settings.diagnostics.numericTolerance;
    const model = st.model;
    return {
      uri: p.uri,
      version: st.doc.version,
      rows: model.rows,
      delimiter: String.fromCharCode(model.delim),
      columns: model.cols.map((col, c) => {
        const s = st.stats!.get(c, tol);
        return toProfile(col.name, s, exactDistinct(model, c, s));
      }),
    };
  });
  connection.onRequest(PairingsRequest.type, (p) => ({
    experiments: partners.pairingsOf(p.uri).map((pair) => ({
      uri: pair.experiment.uri,
      datasets: pair.experiment.datasets
        .filter((d) => d.file !== undefined)
        .map((d) => ({ name: d.name, uri: pathToFileURL(d.file!).toString(), ...(d.label !== undefined ? { label: d.label } : {}) })),
    })),
  }));
}

function toProfile(name: string, s: ColumnStats, distinct: number): ColumnProfile {
  // Numeric columns count numbers only: cells that broke the type are not values (as in the core profile).
  const base = { name, type: s.type, count: s.type === 'numeric' ? s.numbers : s.count, missing: s.missing, distinct };
  if (s.type === 'numeric') return { ...base, mean: s.mean, std: s.std, min: s.min, median: s.median, mad: s.mad, max: s.max, histogram: s.histogram };
  return { ...base, topCategories: s.categories.slice(0, 10).map(([value, count]) => ({ value, count })) };
}
