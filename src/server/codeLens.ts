/**
 * `textDocument/codeLens` on the header line of a CSV/TSV document: "Compare with..." (with the
 * partners experiments pair it with) and "Profile". The commands they run are the extension's
 * (src/protocol/serverCommands.ts).
 */
import { pathToFileURL } from 'node:url';
import type { CodeLens, CodeLensParams } from 'vscode-languageserver/node';
import { ServerCommands } from '../protocol/serverCommands';
import { Locator } from './locator';
import type { Partners } from './partners';
import type { ServerState } from './serverState';

export function codeLens(params: CodeLensParams, state: ServerState, partners: Partners): CodeLens[] {
  const st = state.syncedDoc(params.textDocument.uri);
  if (!st?.model || st.model.header.length === 0) return [];
  const range = new Locator(st.model).headerLine();
  const paired = partners.pairingsOf(st.uri).flatMap((p) => p.partners.map((d) => pathToFileURL(d.file!).toString()));
  const unique = [...new Set(paired)];
  return [
    { range, command: { title: unique.length ? `Compare with... (${unique.length} paired)` : 'Compare with...', command: ServerCommands.compareWith, arguments: [st.uri, unique] } },
    { range, command: { title: 'Profile', command: ServerCommands.profile, arguments: [st.uri] } },
  ];
}
