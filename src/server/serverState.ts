/**
 * What the server knows, shared by its features: the connection, the settings and workspace
 * folders, the open documents (CSV/TSV models and experiment texts), the workspace's experiment
 * index and the cache of datasets read from disk. It answers no LSP message itself; the
 * features (documents.ts, checkScheduler.ts, hover.ts, ...) read and change it.
 */
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CsvDocument } from './csvDocument';
import { DatasetCache, ExperimentIndex, samePath, type LoadedDataset } from './experiments';
import { resolveSettings, type ServerSettings } from './settings';

/** The file path of a `file:` URI; undefined for other schemes (untitled documents, ...). */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export class ServerState {
  settings: ServerSettings = resolveSettings(undefined);
  /** Workspace folder paths. */
  roots: string[] = [];
  /** The client shows server-initiated work-done progress (VS Code: in the status bar). */
  canShowProgress = false;
  /** Open CSV/TSV documents by URI: synchronised by the client, or read from disk (CsvDocument.fromDisk). */
  readonly csvDocs = new Map<string, CsvDocument>();
  /** Open experiment files by URI. */
  readonly expDocs = new Map<string, TextDocument>();
  /** Every experiment file of the workspace (open ones from their editor text): who pairs with whom. */
  readonly index = new ExperimentIndex();
  /** Datasets that experiments name and no editor has open. */
  readonly cache = new DatasetCache(() => this.settings.missingTokens);

  /** Settled once configuration and the workspace's experiment files are known; checks wait for it. */
  readonly ready: Promise<void>;
  private settle: () => void = () => undefined;

  constructor(readonly connection: Connection) {
    this.ready = new Promise((r) => (this.settle = r));
  }

  markReady(): void {
    this.settle();
  }

  /**
   * An open CSV document with its model brought up to its text. Requests never meet edits held
   * back for a burst (those wait only while the next message is another edit of the same
   * document), but timers and other documents' checks run in between.
   */
  syncedDoc(uri: string): CsvDocument | undefined {
    const st = this.csvDocs.get(uri);
    st?.sync();
    return st;
  }

  /** A dataset an experiment names: the open document's current model when there is one, else the file on disk. */
  async loadDataset(file: string): Promise<LoadedDataset | { error: string }> {
    const open = [...this.csvDocs.values()].find((d) => {
      const p = uriToPath(d.uri);
      return p !== undefined && samePath(p, file);
    });
    open?.sync();
    if (open?.model && open.stats && !open.needsFull) return { file, model: open.model, stats: open.stats };
    return this.cache.load(file);
  }
}
