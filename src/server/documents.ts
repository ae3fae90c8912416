/**
 * Document sync and files on disk. Answers `textDocument/didOpen`, `didChange` and `didClose`
 * for CSV/TSV and experiment documents, `workspace/didChangeWatchedFiles`, and
 * `datasetLab/diskFiles` (CSV files an editor shows but the client does not synchronise: read
 * from disk here). Also keeps the workspace's experiment index up to date with the experiment
 * files on disk, open or not.
 */
import { pathToFileURL } from 'node:url';
import { FileChangeType, type FileEvent, type TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { readRegularTextFile } from '../core/ingest';
import { FatalInputError } from '../core/table';
import { isCsvPath } from '../protocol/files';
import type { CheckScheduler } from './checkScheduler';
import { CsvDocument } from './csvDocument';
import type { ExperimentChecks } from './experimentChecks';
import { EXPERIMENT_SUFFIX, findExperimentFiles, parseExperiment } from './experiments';
import type { Partners } from './partners';
import type { EditArrival } from './queuedChanges';
import { uriToPath, type ServerState } from './serverState';

/** CSV/TSV documents: by language id, or by file name whatever the language id. */
function isCsv(doc: TextDocument): boolean {
  return doc.languageId === 'csv' || doc.languageId === 'tsv' || isCsvPath(doc.uri);
}

function isExperiment(uri: string): boolean {
  return uri.endsWith(EXPERIMENT_SUFFIX);
}

/**
 * Files of the text encoders experiments name (textModelDiagnostics.ts): a change re-checks the
 * open experiment documents only. A folder removed whole is noticed when the experiment is next
 * opened or edited.
 */
export const MODEL_FILE_GLOB = '**/{config.json,tokenizer.json,tokenizer_config.json,model.json,*.onnx,*.bin}';

export class Documents {
  /** Files the client has open but does not synchronise: checked from disk (see DiskFilesNotification). */
  private readonly diskFiles = new Set<string>();

  constructor(
    private readonly state: ServerState,
    private readonly scheduler: CheckScheduler,
    private readonly partners: Partners,
    private readonly experiments: ExperimentChecks,
  ) {}

  open(doc: TextDocument, fromDisk = false): void {
    const state = this.state;
    if (isExperiment(doc.uri)) {
      state.expDocs.set(doc.uri, doc);
      void this.experiments.run(doc.uri);
      return;
    }
    if (!isCsv(doc)) return;
    const previous = state.csvDocs.get(doc.uri);
    if (previous) this.scheduler.stop(previous);
    const st = new CsvDocument(doc);
    st.fromDisk = fromDisk;
    st.pendingSince = performance.now();
    state.csvDocs.set(doc.uri, st);
    this.scheduler.schedule(st, 0);
  }

  /**
   * An edit. `arrival` (from QueuedChanges) says when it arrived after the previous edit and
   * whether more are already waiting; without it every edit counts as arriving on its own.
   */
  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[], arrival: EditArrival = { gapMs: Infinity, moreQueued: false, nextIsSameDocument: false }): void {
    const now = performance.now();
    const exp = this.state.expDocs.get(uri);
    if (exp) {
      this.state.expDocs.set(uri, TextDocument.update(exp, [...changes], version));
      this.experiments.edited(uri, arrival, now);
      return;
    }
    const st = this.state.csvDocs.get(uri);
    if (!st) return;
    this.scheduler.editArrived(st, now);
    // The model follows every edit (cheap: only the touched records); checking and publishing
    // happen once per burst.
    st.applyChanges(changes, version, arrival.nextIsSameDocument);
    this.scheduler.scheduleAfterEdit(st, arrival, now);
  }

  close(uri: string): void {
    const state = this.state;
    const st = state.csvDocs.get(uri);
    if (st) this.scheduler.stop(st);
    // A file the client stops synchronising but still shows (too large) is checked from disk.
    if (st && !st.fromDisk && this.diskFiles.has(uri)) {
      state.csvDocs.delete(uri);
      void this.loadFromDisk(uri);
      return;
    }
    state.csvDocs.delete(uri);
    // Partners now compare with the file on disk, not the closed editor's text.
    if (st) this.partners.recheckPartnersOf(st);
    this.experiments.cancel(uri);
    if (state.expDocs.delete(uri)) {
      // The file on disk is what other documents pair with from now on.
      const file = uriToPath(uri);
      if (file) {
        void readRegularTextFile(file).then(
          (text) => state.index.set(parseExperiment(file, uri, text)),
          () => state.index.delete(file),
        );
      }
    }
    void state.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** The whole set of files the client shows without synchronising them (DiskFilesNotification). */
  setDiskFiles(uris: readonly string[]): void {
    const wanted = new Set(uris.filter((u) => uriToPath(u) !== undefined && isCsvPath(u)));
    for (const uri of [...this.diskFiles]) {
      if (wanted.has(uri)) continue;
      this.diskFiles.delete(uri);
      if (this.state.csvDocs.get(uri)?.fromDisk) this.close(uri);
    }
    for (const uri of wanted) {
      if (this.diskFiles.has(uri)) continue;
      this.diskFiles.add(uri);
      void this.loadFromDisk(uri);
    }
  }

  private async loadFromDisk(uri: string): Promise<void> {
    const state = this.state;
    const open = state.csvDocs.get(uri);
    if (open && !open.fromDisk) return; // the client synchronises it after all
    const file = uriToPath(uri)!;
    let text: string;
    try {
      // Never a plain read: a FIFO named x.csv would block it (and a thread of the pool) forever.
      text = await readRegularTextFile(file);
    } catch (err) {
      state.connection.console.error(err instanceof FatalInputError ? `dataset-lab: ${err.message}` : `dataset-lab: cannot read ${file}: ${(err as Error).message}`);
      return;
    }
    const now = state.csvDocs.get(uri);
    if (!this.diskFiles.has(uri) || (now && !now.fromDisk)) return;
    // The file name decides the delimiter of .tsv/.tab files (CsvDocument.delimiter).
    this.open(TextDocument.create(uri, 'csv', 0, text), true);
  }

  /** Reads every experiment file of the workspace folders into the index (open ones keep their editor text). */
  async scanWorkspace(): Promise<void> {
    const state = this.state;
    const files = await findExperimentFiles(state.roots);
    for (const file of files) {
      const uri = pathToFileURL(file).toString();
      if (state.expDocs.has(uri)) continue;
      try {
        const text = await readRegularTextFile(file);
        state.index.set(parseExperiment(file, uri, text));
      } catch {
        // Vanished between listing and reading.
      }
    }
    this.scheduler.recheckAll();
  }

  watchedFilesChanged(changes: readonly FileEvent[]): void {
    const state = this.state;
    let experimentsChanged = false;
    let dataChanged = false;
    for (const ch of changes) {
      const file = uriToPath(ch.uri);
      if (!file) continue;
      // A model file (not a dataset): only experiment documents read it.
      if (!isExperiment(ch.uri) && !isCsvPath(ch.uri)) continue;
      dataChanged = true;
      if (isExperiment(ch.uri)) {
        experimentsChanged = true;
        if (state.expDocs.has(ch.uri)) continue;
        if (ch.type === FileChangeType.Deleted) state.index.delete(file);
        else
          void readRegularTextFile(file).then(
            (text) => {
              state.index.set(parseExperiment(file, ch.uri, text));
              this.scheduler.recheckAll();
            },
            () => undefined,
          );
      } else {
        state.cache.invalidate(file);
        if (state.csvDocs.get(ch.uri)?.fromDisk) void this.loadFromDisk(ch.uri);
      }
    }
    if (experimentsChanged || dataChanged) this.scheduler.recheckAll();
    if (changes.length) this.experiments.recheckAll();
  }
}
