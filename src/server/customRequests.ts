/**
 * The server's own messages (src/protocol/lsp.ts): `datasetLab/columnProfiles` (the profile of
 * an open CSV document from its live model, as the CLI's `profile` computes it),
 * `datasetLab/pairings` (which experiments pair a file) and `datasetLab/diskFiles` (files to
 * check from disk, handled by documents.ts).
 */
import { pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { ColumnProfilesRequest, DiskFilesNotification, PairingsRequest, type ColumnProfile } from '../protocol/lsp';
import { profileColumn } from '../core/profile';
import type { Documents } from './documents';
import { modelToIngestTable } from './modelTable';
import type { Partners } from './partners';
import { uriToPath, type ServerState } from './serverState';

export function registerCustomRequests(connection: Connection, state: ServerState, documents: Documents, partners: Partners): void {
  connection.onNotification(DiskFilesNotification.type, (p) => documents.setDiskFiles(Array.isArray(p?.uris) ? p.uris.filter((u): u is string => typeof u === 'string') : []));
  connection.onRequest(ColumnProfilesRequest.type, async (p) => {
    const st = state.syncedDoc(p.uri);
    if (!st?.model || st.needsFull) return null;
    // The table the CLI's ingest would read from this text (a copy: edits may come while the
    // columns are profiled), profiled by the CLI's code.
    const version = st.doc.version;
    const table = modelToIngestTable(st.model, '', uriToPath(p.uri) ?? p.uri, state.settings.diagnostics.numericTolerance);
    const columns: ColumnProfile[] = [];
    let slice = performance.now();
    for (const column of table.columns) {
      columns.push(profileColumn(column));
      // A large document's columns take a while each (sorting its numbers): edits and hovers are answered in between.
      if (performance.now() - slice > 25) {
        await new Promise<void>((r) => setImmediate(r));
        slice = performance.now();
      }
    }
    return { uri: p.uri, version, rows: table.rows, delimiter: table.delimiter, columns };
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
