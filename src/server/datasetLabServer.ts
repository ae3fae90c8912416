/**
 * The server's state and handlers: open CSV/TSV and experiment documents, the experiment index
 * of the workspace, partner datasets, and the LSP features over them.
 */
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { modify, findNodeAtLocation, type Node } from './jsonc';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  MarkupKind,
  type CodeAction,
  type CodeActionParams,
  type CodeLens,
  type CodeLensParams,
  type Connection,
  type Diagnostic,
  type FileEvent,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type TextDocumentContentChangeEvent,
  type TextEdit,
  type WorkDoneProgressServerReporter,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CheckedNotification, ColumnProfilesRequest, CONFIGURATION_SECTION, DiskFilesNotification, PairingsRequest, ServerCommands, type ColumnProfile } from '../protocol/lsp';
import { compareDatasets, type PairComparison } from '../core/compare';
import { normalizeColumnName } from '../core/schemaAlign';
import { readRegularTextFile } from '../core/ingest';
import { FatalInputError, type DataTable } from '../core/table';
import { modelToTable } from './modelTable';
import { exactDistinct, releaseStatsScratch, sparkline, type ColumnStats } from './columnStats';
import { CsvDocument } from './csvDocument';
import { CsvModel } from './csvModel';
import { FLAG_UNTERMINATED } from './recordStore';
import { CellKind } from './csvScanner';
import { checkCsv, type HeaderFinding } from './csvDiagnostics';
import { SOURCE, type DiagnosticData } from './diagnosticData';
import { Locator } from './locator';
import { numberRepairs, type NumberRepair } from './numberRepairs';
import { StatsCache } from './statsCache';
import { crossFindings, driftEvidence, type PartnerSide } from './crossDiagnostics';
import { checkExperiment } from './experimentDiagnostics';
import { DatasetCache, EXPERIMENT_SUFFIX, ExperimentIndex, findExperimentFiles, parseExperiment, samePath, type Pairing } from './experiments';
import type { EditArrival } from './queuedChanges';
import { resolveSettings, type ServerSettings } from './settings';

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Characters above which a full scan is followed by a garbage collection (when exposed). */
const LARGE_DOCUMENT = 16 * 1024 * 1024;
/** Most cells (or rows) one "all such" quick fix rewrites (or deletes). */
const REPAIR_ALL_LIMIT = 10_000;

/** Characters from which a full check reports work-done progress (about a quarter of a second of work). */
const PROGRESS_MIN_CHARS = 8 * 1024 * 1024;

/**
 * Work-done progress of one large document's check, shown by the client. Creating it is a
 * round trip to the client; the check does not wait for it: reports made meanwhile are
 * remembered and the latest is sent once the progress exists.
 */
class CheckProgress {
  private reporter: WorkDoneProgressServerReporter | undefined;
  private ended = false;
  private percentage = 0;
  private message = '';

  constructor(connection: Connection, title: string) {
    connection.window.createWorkDoneProgress().then(
      (reporter) => {
        if (this.ended) return reporter.done();
        reporter.begin(title, this.percentage, this.message || undefined, false);
        this.reporter = reporter;
      },
      () => undefined,
    );
  }

  report(percentage: number, message: string): void {
    if (this.ended) return;
    const p = Math.min(100, Math.floor(percentage));
    if (p === this.percentage && message === this.message) return;
    this.percentage = p;
    this.message = message;
    this.reporter?.report(p, message);
  }

  done(): void {
    if (this.ended) return;
    this.ended = true;
    this.reporter?.done();
  }
}

/**
 * A burst of edits is checked once no edit has come for its quiet period: the last check's cost
 * (an edit that arrives sooner would have found the server still checking), within these bounds.
 */
const MIN_QUIET_MS = 5;
const MAX_QUIET_MS = 50;
/** Longest a burst of edits goes unchecked while it lasts. */
const MAX_STALE_MS = 500;

/** Shortest interval between two comparisons of one document with one partner while editing. */
const COMPARE_INTERVAL_MS = 1500;
let gcTimer: NodeJS.Timeout | undefined;
let gcThorough = false;

/**
 * Collects garbage 200 ms from now (once, however often it is asked meanwhile) when the process
 * runs with --expose-gc. `thorough` (after a large document's full check) asks V8 for a
 * last-resort collection, which also hands back the pages V8 keeps pooled for reuse: on Node 24
 * those held ~1x of a 100 MB document's size after its didOpen; a regular collection leaves them.
 */
function collectGarbageSoon(thorough: boolean): void {
  const gc = (globalThis as { gc?: (options?: object) => void }).gc;
  if (!gc) return;
  gcThorough ||= thorough;
  if (gcTimer) return;
  gcTimer = setTimeout(() => {
    gcTimer = undefined;
    if (gcThorough) gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    else gc();
    gcThorough = false;
  }, 200);
}

function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** File names the server checks as CSV/TSV whatever their language id. */
const CSV_FILE = /\.(csv|tsv|tab)$/i;

function isCsv(doc: TextDocument): boolean {
  return doc.languageId === 'csv' || doc.languageId === 'tsv' || CSV_FILE.test(doc.uri);
}

function isExperiment(uri: string): boolean {
  return uri.endsWith(EXPERIMENT_SUFFIX);
}

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : Number.isInteger(x) ? String(x) : Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3 ? x.toPrecision(4) : String(Number(x.toFixed(4))));

export class DatasetLabServer {
  private settings: ServerSettings = resolveSettings(undefined);
  private initOptions: unknown;
  private roots: string[] = [];
  private canPullConfig = false;
  private canWatch = false;
  private canWatchFolders = false;
  private readonly csvDocs = new Map<string, CsvDocument>();
  private readonly expDocs = new Map<string, TextDocument>();
  private readonly index = new ExperimentIndex();
  private readonly cache = new DatasetCache(() => this.settings.missingTokens);

  /** Settled once configuration and the workspace's experiment files are known; checks wait for it. */
  private ready: Promise<void>;
  private markReady: () => void = () => undefined;

  constructor(private readonly connection: Connection) {
    this.ready = new Promise((r) => (this.markReady = r));
  }

  initialize(params: InitializeParams): void {
    this.initOptions = params.initializationOptions;
    this.settings = resolveSettings(params.initializationOptions);
    const folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []);
    this.roots = folders.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
    this.canPullConfig = params.capabilities.workspace?.configuration === true;
    this.canWatch = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    this.canWatchFolders = params.capabilities.workspace?.workspaceFolders === true;
    this.canShowProgress = params.capabilities.window?.workDoneProgress === true;
  }

  /** The client shows server-initiated work-done progress (VS Code: in the status bar). */
  private canShowProgress = false;

  async initialized(): Promise<void> {
    try {
      if (this.canPullConfig) {
        void this.connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIGURATION_SECTION });
        await this.pullConfiguration();
      }
      if (this.canWatch) {
        void this.connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: `**/*${EXPERIMENT_SUFFIX}` }, { globPattern: '**/*.{csv,tsv,tab}' }],
        });
      }
      if (this.canWatchFolders) {
        this.connection.workspace.onDidChangeWorkspaceFolders((e) => {
          for (const f of e.removed) this.roots = this.roots.filter((r) => r !== uriToPath(f.uri));
          for (const f of e.added) {
            const p = uriToPath(f.uri);
            if (p) this.roots.push(p);
          }
          void this.scanWorkspace();
        });
      }
      await this.scanWorkspace();
    } catch (err) {
      this.connection.console.error(`dataset-lab: initialisation: ${(err as Error).stack ?? err}`);
    } finally {
      this.markReady();
    }
  }

  private async pullConfiguration(): Promise<void> {
    try {
      const cfg: unknown = await this.connection.workspace.getConfiguration(CONFIGURATION_SECTION);
      // Settings from the client win; initializationOptions fill what it does not send.
      const base = (this.initOptions && typeof this.initOptions === 'object' ? this.initOptions : {}) as Record<string, unknown>;
      const c = (cfg && typeof cfg === 'object' ? cfg : {}) as Record<string, unknown>;
      this.settings = resolveSettings({ ...base, ...c, diagnostics: { ...(base.diagnostics as object), ...(c.diagnostics as object) } });
    } catch {
      // Keep the current settings when the client cannot answer.
    }
  }

  async configurationChanged(): Promise<void> {
    if (this.canPullConfig) await this.pullConfiguration();
    this.cache.invalidate();
    for (const st of this.csvDocs.values()) {
      st.needsFull = true;
      this.schedule(st, 0);
    }
    for (const uri of this.expDocs.keys()) void this.runExperiment(uri);
  }

  private async scanWorkspace(): Promise<void> {
    const files = await findExperimentFiles(this.roots);
    for (const file of files) {
      const uri = pathToFileURL(file).toString();
      if (this.expDocs.has(uri)) continue;
      try {
        const text = await readRegularTextFile(file);
        this.index.set(parseExperiment(file, uri, text));
      } catch {
        // Vanished between listing and reading.
      }
    }
    this.recheckCsv();
  }

  watchedFilesChanged(changes: readonly FileEvent[]): void {
    let experimentsChanged = false;
    for (const ch of changes) {
      const file = uriToPath(ch.uri);
      if (!file) continue;
      if (isExperiment(ch.uri)) {
        experimentsChanged = true;
        if (this.expDocs.has(ch.uri)) continue;
        if (ch.type === FileChangeType.Deleted) this.index.delete(file);
        else
          void readRegularTextFile(file).then(
            (text) => {
              this.index.set(parseExperiment(file, ch.uri, text));
              this.recheckCsv();
            },
            () => undefined,
          );
      } else {
        this.cache.invalidate(file);
        if (this.csvDocs.get(ch.uri)?.fromDisk) void this.loadFromDisk(ch.uri);
      }
    }
    if (experimentsChanged || changes.length) {
      this.recheckCsv();
      for (const uri of this.expDocs.keys()) void this.runExperiment(uri);
    }
  }

  private recheckCsv(): void {
    for (const st of this.csvDocs.values()) this.schedule(st, 0);
  }

  open(doc: TextDocument, fromDisk = false): void {
    if (isExperiment(doc.uri)) {
      this.expDocs.set(doc.uri, doc);
      void this.runExperiment(doc.uri);
      return;
    }
    if (!isCsv(doc)) return;
    const previous = this.csvDocs.get(doc.uri);
    if (previous) this.stopTimers(previous);
    const st = new CsvDocument(doc);
    st.fromDisk = fromDisk;
    st.pendingSince = performance.now();
    this.csvDocs.set(doc.uri, st);
    this.schedule(st, 0);
  }

  /**
   * An edit. `arrival` (from QueuedChanges) says when it arrived after the previous edit and
   * whether more are already waiting; without it every edit counts as arriving on its own.
   */
  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[], arrival: EditArrival = { gapMs: Infinity, moreQueued: false, nextIsSameDocument: false }): void {
    const now = performance.now();
    const exp = this.expDocs.get(uri);
    if (exp) {
      this.expDocs.set(uri, TextDocument.update(exp, [...changes], version));
      const wait = this.burstWait(arrival, now, this.expUnchecked.get(uri) ?? now, MIN_QUIET_MS);
      if (!this.expUnchecked.has(uri)) this.expUnchecked.set(uri, now);
      const timer = this.expTimers.get(uri);
      if (timer) clearTimeout(timer);
      const run = () => {
        this.expTimers.delete(uri);
        this.expUnchecked.delete(uri);
        void this.runExperiment(uri);
      };
      if (wait === 0) run();
      else this.expTimers.set(uri, setTimeout(run, wait));
      return;
    }
    const st = this.csvDocs.get(uri);
    if (!st) return;
    if (!st.timer && !st.running) {
      st.pendingSince = now;
      st.incremental = true;
    }
    if (st.uncheckedSince === 0) st.uncheckedSince = now;
    // The model follows every edit (cheap: only the touched records); checking and publishing
    // happen once per burst.
    st.applyChanges(changes, version, arrival.nextIsSameDocument);
    // A full re-scan waits about as long as the last one took, so typing into a large file's
    // header does not queue scan after scan.
    const d = this.settings.diagnostics;
    const quiet = Math.min(MAX_QUIET_MS, Math.max(MIN_QUIET_MS, st.checkCostMs));
    this.schedule(st, Math.max(d.debounceMs, st.needsFull && st.lastFullMs > 50 ? Math.min(st.lastFullMs, 1000) : 0, this.burstWait(arrival, now, st.uncheckedSince, quiet)));
  }

  /**
   * How long to wait before checking after an edit. An edit on its own (none waiting behind it,
   * the previous one at least `quiet` ms earlier) is checked at once: typing gets its diagnostics
   * without delay. Edits closer together are a burst: checked when no edit has come for `quiet`
   * ms, and at least every MAX_STALE_MS while the burst lasts (counted from the oldest edit not
   * yet checked), so 10,000 rapid edits cost a few checks, not 10,000. The check always covers
   * the latest version.
   */
  private burstWait(arrival: EditArrival, now: number, uncheckedSince: number, quiet: number): number {
    if (!arrival.moreQueued && arrival.gapMs >= quiet) return 0;
    const stale = now - uncheckedSince;
    return stale >= MAX_STALE_MS ? 0 : Math.min(quiet, MAX_STALE_MS - stale);
  }

  /** Experiment documents edited and not yet checked (since when), and their pending checks. */
  private readonly expUnchecked = new Map<string, number>();
  private readonly expTimers = new Map<string, NodeJS.Timeout>();

  /**
   * An open CSV document with its model brought up to its text. Requests never meet edits held
   * back for a burst (those wait only while the next message is another edit of the same
   * document), but timers and other documents' checks run in between.
   */
  private syncedDoc(uri: string): CsvDocument | undefined {
    const st = this.csvDocs.get(uri);
    st?.sync();
    return st;
  }

  private stopTimers(st: CsvDocument): void {
    if (st.timer) clearTimeout(st.timer);
    if (st.compareTimer) clearTimeout(st.compareTimer);
    st.timer = st.compareTimer = undefined;
  }

  /** Files the client has open but does not synchronise: checked from disk (see DiskFilesNotification). */
  private readonly diskFiles = new Set<string>();

  setDiskFiles(uris: readonly string[]): void {
    const wanted = new Set(uris.filter((u) => uriToPath(u) !== undefined && CSV_FILE.test(u)));
    for (const uri of [...this.diskFiles]) {
      if (wanted.has(uri)) continue;
      this.diskFiles.delete(uri);
      if (this.csvDocs.get(uri)?.fromDisk) this.close(uri);
    }
    for (const uri of wanted) {
      if (this.diskFiles.has(uri)) continue;
      this.diskFiles.add(uri);
      void this.loadFromDisk(uri);
    }
  }

  private async loadFromDisk(uri: string): Promise<void> {
    const open = this.csvDocs.get(uri);
    if (open && !open.fromDisk) return; // the client synchronises it after all
    const file = uriToPath(uri)!;
    let text: string;
    try {
      // Never a plain read: a FIFO named x.csv would block it (and a thread of the pool) forever.
      text = await readRegularTextFile(file);
    } catch (err) {
      this.connection.console.error(err instanceof FatalInputError ? `dataset-lab: ${err.message}` : `dataset-lab: cannot read ${file}: ${(err as Error).message}`);
      return;
    }
    const now = this.csvDocs.get(uri);
    if (!this.diskFiles.has(uri) || (now && !now.fromDisk)) return;
    // The file name decides the delimiter of .tsv/.tab files (CsvDocument.delimiter).
    this.open(TextDocument.create(uri, 'csv', 0, text), true);
  }

  close(uri: string): void {
    const st = this.csvDocs.get(uri);
    if (st) this.stopTimers(st);
    // A file the client stops synchronising but still shows (too large) is checked from disk.
    if (st && !st.fromDisk && this.diskFiles.has(uri)) {
      this.csvDocs.delete(uri);
      void this.loadFromDisk(uri);
      return;
    }
    this.csvDocs.delete(uri);
    // Partners now compare with the file on disk, not the closed editor's text.
    if (st) this.recheckPartnersOf(st);
    const expTimer = this.expTimers.get(uri);
    if (expTimer) clearTimeout(expTimer);
    this.expTimers.delete(uri);
    this.expUnchecked.delete(uri);
    if (this.expDocs.delete(uri)) {
      // The file on disk is what other documents pair with from now on.
      const file = uriToPath(uri);
      if (file) {
        void readRegularTextFile(file).then(
          (text) => this.index.set(parseExperiment(file, uri, text)),
          () => this.index.delete(file),
        );
      }
    }
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private schedule(st: CsvDocument, delay: number): void {
    if (st.timer) clearTimeout(st.timer);
    const run = () => {
      st.timer = undefined;
      void this.runCsv(st);
    };
    st.timer = delay > 0 ? setTimeout(run, delay) : (setImmediate(run) as unknown as NodeJS.Timeout);
  }

  private async runCsv(st: CsvDocument): Promise<void> {
    if (st.running) {
      st.rerun = true;
      return;
    }
    st.running = true;
    let progress: CheckProgress | undefined;
    try {
      await this.ready;
      do {
        st.rerun = false;
        const started = performance.now();
        if (this.csvDocs.get(st.uri) !== st) return;
        st.sync();
        if (!this.settings.diagnostics.enable) {
          await this.connection.sendDiagnostics({ uri: st.uri, diagnostics: [] });
          return;
        }
        let incremental = st.incremental;
        if (st.needsFull || !st.model) {
          incremental = false;
          if (!progress && this.canShowProgress && st.doc.getText().length >= PROGRESS_MIN_CHARS) progress = new CheckProgress(this.connection, `Dataset Lab: checking ${basename(uriToPath(st.uri) ?? st.uri)}`);
          const ok = await this.fullScan(st, progress);
          if (!ok) {
            st.rerun = true;
            continue;
          }
        }
        const version = st.doc.version;
        const model = st.model!;
        // Column statistics (cached per column version) in ~25 ms slices, so hovers and edits
        // are answered while a large file's columns are summarised; the check then reuses them.
        let slice = performance.now();
        for (let c = 0; c < model.cols.length; c++) {
          st.stats!.get(c, this.settings.diagnostics.numericTolerance);
          if (performance.now() - slice > 25) {
            progress?.report(80 + (15 * (c + 1)) / model.cols.length, 'column statistics');
            await tick();
            slice = performance.now();
            if (st.needsFull || this.csvDocs.get(st.uri) !== st) break;
          }
        }
        if (this.csvDocs.get(st.uri) !== st) return;
        if (st.needsFull) {
          st.rerun = true;
          continue;
        }
        const pairings = this.pairingsOf(st.uri);
        const cross = await this.crossFor(st, model, st.stats!, pairings);
        if (st.doc.version !== version && st.needsFull) {
          st.rerun = true;
          continue;
        }
        // Edits of a burst that arrived during the awaits above: into the model before checking,
        // so the diagnostics are of the version they are published for.
        st.sync();
        if (st.needsFull) {
          st.rerun = true;
          continue;
        }
        const labels = pairings.map((p) => p.self.label).filter((l): l is string => l !== undefined);
        progress?.report(95, 'checking cells');
        let diagnostics = checkCsv(model, { uri: st.uri, settings: this.settings, stats: st.stats!, labels, headerFindings: cross });
        if (pairings.length) {
          const p = pairings[0];
          diagnostics = diagnostics.map((d) => {
            const data = d.data as DiagnosticData | undefined;
            return data?.column !== undefined && data.experiment === undefined ? { ...d, data: { ...data, experiment: p.experiment.uri, datasetIndex: p.self.index } } : d;
          });
        }
        // Every edit so far is in this publication (the model follows each edit as it comes).
        st.uncheckedSince = 0;
        st.checkCostMs = performance.now() - started;
        await this.connection.sendDiagnostics({ uri: st.uri, ...(st.fromDisk ? {} : { version: st.doc.version }), diagnostics });
        const durationMs = performance.now() - st.pendingSince;
        st.lastCheckMs = durationMs;
        void this.connection.sendNotification(CheckedNotification.type, {
          uri: st.uri,
          version: st.doc.version,
          durationMs,
          diagnostics: diagnostics.length,
          rows: model.rows,
          incremental,
        });
        st.incremental = true;
        st.pendingSince = performance.now();
        // Open documents that pair with this one see its new content. Only a new version of
        // this document propagates, so two partners never re-check each other in a loop.
        if (st.propagatedVersion !== st.doc.version) {
          st.propagatedVersion = st.doc.version;
          this.recheckPartnersOf(st);
        }
        // Opening a large file leaves its JSON-RPC message (about its size, three times) as
        // garbage that V8 would keep until the next major collection, and the check's buffers
        // (the size of a column) until the next check. When the process runs with --expose-gc
        // (the extension starts it so: src/protocol/serverProcess.ts), drop the buffers and
        // collect once, after publishing.
        if (model.text.length > LARGE_DOCUMENT) {
          // Each edit of a large document also leaves a copy of its text behind (JS strings
          // are immutable): collect it too, at most once per 200 ms while typing.
          if (!incremental) releaseStatsScratch();
          collectGarbageSoon(!incremental);
        }
      } while (st.rerun);
    } catch (err) {
      this.connection.console.error(`dataset-lab: checking ${st.uri} failed: ${(err as Error).stack ?? err}`);
    } finally {
      st.running = false;
      progress?.done();
    }
  }

  /** Builds the model from the whole text in slices; false when the document changed meanwhile. */
  private async fullScan(st: CsvDocument, progress?: CheckProgress): Promise<boolean> {
    const version = st.doc.version;
    const model = new CsvModel({ delimiter: st.delimiter(), missingTokens: this.settings.missingTokens });
    const started = performance.now();
    model.begin(st.doc.getText());
    while (!model.step(performance.now() + 25)) {
      progress?.report(80 * model.scanFraction, 'reading rows');
      await tick();
      if (st.doc.version !== version || this.csvDocs.get(st.uri) !== st) return false;
    }
    if (st.doc.version !== version) return false;
    st.model = model;
    st.stats = new StatsCache(model);
    st.needsFull = false;
    st.lastFullMs = performance.now() - started;
    return true;
  }

  private recheckPartnersOf(st: CsvDocument): void {
    const file = uriToPath(st.uri);
    if (!file || !this.settings.diagnostics.crossDataset) return;
    for (const other of this.csvDocs.values()) {
      if (other === st) continue;
      if (this.pairingsOf(other.uri).some((p) => p.partners.some((d) => d.file !== undefined && samePath(d.file, file)))) this.schedule(other, 0);
    }
  }

  private pairingsOf(uri: string): Pairing[] {
    const file = uriToPath(uri);
    if (!file || !this.settings.diagnostics.crossDataset) return [];
    return this.index.pairingsFor(file);
  }

  private async partnerSides(pairing: Pairing): Promise<PartnerSide[]> {
    const out: PartnerSide[] = [];
    for (const ds of pairing.partners) {
      const open = [...this.csvDocs.values()].find((d) => {
        const f = uriToPath(d.uri);
        return f !== undefined && samePath(f, ds.file!);
      });
      open?.sync();
      if (open?.model && open.stats && !open.needsFull) {
        out.push({ dataset: ds, model: open.model, stats: open.stats, label: ds.label });
        continue;
      }
      const r = await this.cache.load(ds.file!);
      if (!('error' in r)) out.push({ dataset: ds, model: r.model, stats: r.stats, label: ds.label });
    }
    return out;
  }

  private async crossFor(st: CsvDocument, model: CsvModel, stats: StatsCache, pairings: Pairing[]): Promise<HeaderFinding[]> {
    const out: HeaderFinding[] = [];
    const tol = this.settings.diagnostics.numericTolerance;
    for (const p of pairings) {
      const partners = await this.partnerSides(p);
      for (const side of partners) side.comparison = this.compare(st, model, stats, p, side);
      out.push(...crossFindings({ model, stats, label: p.self.label }, p, partners, tol));
    }
    return out;
  }

  /** The comparison engine on this document against a partner, cached until either side changes. */
  private compare(st: CsvDocument, model: CsvModel, stats: StatsCache, p: Pairing, side: PartnerSide): PairComparison | undefined {
    const key = `${side.dataset.file}|${model.cols.map((c) => c.version).join(',')}|${side.model.cols.map((c) => c.version).join(',')}|${p.self.label}|${side.label}`;
    const hit = st.comparisons.get(side.model);
    if (hit && hit.key === key && hit.model === model) return hit.result;
    // While the user types, a comparison (KS, Wasserstein... over whole columns) runs at most
    // once per COMPARE_INTERVAL_MS per partner; in between the last result stands, and a check
    // is scheduled for when the window ends so the final state is always compared.
    if (hit && hit.model === model && performance.now() - hit.at < COMPARE_INTERVAL_MS) {
      if (!st.compareTimer) {
        st.compareTimer = setTimeout(() => {
          st.compareTimer = undefined;
          this.schedule(st, 0);
        }, COMPARE_INTERVAL_MS - (performance.now() - hit.at));
      }
      return hit.result;
    }
    const tol = this.settings.diagnostics.numericTolerance;
    let result: PairComparison | undefined;
    try {
      const selfTable = modelToTable(model, stats, p.self.name, p.self.file ?? st.uri, tol);
      const otherTable = modelToTable(side.model, side.stats, side.dataset.name, side.dataset.file ?? '', tol);
      const hasLabel = (t: DataTable, l: string | undefined) => (l !== undefined && t.columns.some((c) => c.name === l) ? l : undefined);
      const report = compareDatasets([selfTable, otherTable], {
        labels: [hasLabel(selfTable, p.self.label), hasLabel(otherTable, side.label)],
        skipDomainClassifier: true,
      });
      result = report.comparisons[0];
    } catch (err) {
      this.connection.console.warn(`dataset-lab: comparing ${st.uri} with ${side.dataset.file}: ${(err as Error).message}`);
    }
    st.comparisons.set(side.model, { key, model, result, at: performance.now() });
    return result;
  }

  private async runExperiment(uri: string): Promise<void> {
    await this.ready;
    const doc = this.expDocs.get(uri);
    const file = uriToPath(uri);
    if (!doc) return;
    const exp = parseExperiment(file ?? uri, uri, doc.getText());
    if (file) this.index.set(exp);
    const diagnostics = await checkExperiment(exp, doc, {
      settings: this.settings,
      roots: this.roots,
      load: async (f) => {
        const open = [...this.csvDocs.values()].find((d) => {
          const p = uriToPath(d.uri);
          return p !== undefined && samePath(p, f);
        });
        open?.sync();
        if (open?.model && open.stats && !open.needsFull) return { file: f, model: open.model, stats: open.stats };
        return this.cache.load(f);
      },
    });
    if (this.expDocs.get(uri) !== doc) return;
    await this.connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
    this.recheckCsv();
  }

  // ---- hovers -------------------------------------------------------------------------------

  private headerColumnAt(st: CsvDocument, line: number, character: number): number {
    const model = st.model;
    if (!model) return -1;
    const loc = new Locator(model);
    for (let c = 0; c < model.header.length; c++) {
      const r = loc.headerCell(c);
      if (r.start.line === line && r.start.character <= character && character <= r.end.character) return c;
    }
    return -1;
  }

  async hover(params: HoverParams): Promise<Hover | null> {
    const st = this.syncedDoc(params.textDocument.uri);
    if (!st?.model || st.needsFull) return null;
    const c = this.headerColumnAt(st, params.position.line, params.position.character);
    if (c < 0) return null;
    const model = st.model;
    const tol = this.settings.diagnostics.numericTolerance;
    const s = st.stats!.get(c, tol);
    const parts = [profileMarkdown(model.cols[c].name, s, model.rows, exactDistinct(model, c, s))];
    for (const p of this.pairingsOf(st.uri)) {
      for (const side of await this.partnerSides(p)) {
        const key = normalizeColumnName(model.cols[c].name === p.self.label && side.label ? side.label : model.cols[c].name);
        const pc = side.model.cols.findIndex((col) => normalizeColumnName(col.name) === key);
        const title = `Partner "${side.dataset.name}"`;
        if (pc < 0) {
          parts.push(`**${title}**: no column "${model.cols[c].name}"`);
          continue;
        }
        let drift = '';
        side.comparison = this.compare(st, model, st.stats!, p, side);
        const f = side.comparison?.features.find((x) => x.name === model.cols[c].name);
        if (f) {
          const stat = [
            f.ks ? `KS ${f.ks.statistic.toFixed(3)} (p ${f.ks.pvalue.toPrecision(3)})` : '',
            f.chi2 ? `chi-squared ${f.chi2.statistic.toFixed(2)} (p ${f.chi2.pvalue.toPrecision(3)}, dof ${f.chi2.dof})` : '',
            f.wassersteinNorm !== undefined ? `Wasserstein/std ${f.wassersteinNorm.toFixed(3)}` : '',
            `PSI ${f.psi.toFixed(3)}`,
            `JS ${f.jensenShannon.toFixed(3)}`,
          ].filter((x) => x !== '');
          drift = `\n\n${f.drift ? '**drift**' : 'no drift'}: ${f.drift ? driftEvidence(f) : `${f.method} ${f.verdictValue.toPrecision(3)} vs threshold ${f.threshold}`}  \n${stat.join(' · ')}`;
        }
        parts.push(`**${title}**\n\n${profileMarkdown(side.model.cols[pc].name, side.stats.get(pc, tol), side.model.rows, exactDistinct(side.model, pc, side.stats.get(pc, tol)))}${drift}`);
      }
    }
    const range = new Locator(model).headerCell(c);
    return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range };
  }

  // ---- CodeLens -----------------------------------------------------------------------------

  codeLens(params: CodeLensParams): CodeLens[] {
    const st = this.syncedDoc(params.textDocument.uri);
    if (!st?.model || st.model.header.length === 0) return [];
    const range = new Locator(st.model).headerLine();
    const partners = this.pairingsOf(st.uri).flatMap((p) => p.partners.map((d) => pathToFileURL(d.file!).toString()));
    const unique = [...new Set(partners)];
    return [
      { range, command: { title: unique.length ? `Compare with... (${unique.length} paired)` : 'Compare with...', command: ServerCommands.compareWith, arguments: [st.uri, unique] } },
      { range, command: { title: 'Profile', command: ServerCommands.profile, arguments: [st.uri] } },
    ];
  }

  // ---- quick fixes --------------------------------------------------------------------------

  codeAction(params: CodeActionParams): CodeAction[] {
    const out: CodeAction[] = [];
    const uri = params.textDocument.uri;
    const excluded = new Set<string>();
    for (const d of params.context.diagnostics) {
      if (d.source !== SOURCE) continue;
      const data = (d.data ?? {}) as DiagnosticData;
      if (d.code === 'missing-spelling' && data.value !== undefined) {
        out.push({
          title: `Add "${data.value}" to the missing-value tokens`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          command: { title: `Add "${data.value}" to the missing-value tokens`, command: ServerCommands.addMissingToken, arguments: [data.value] },
        });
      }
      if (d.code === 'type-mismatch' && data.value !== undefined) {
        const repairs = numberRepairs(data.value);
        for (const r of repairs) {
          const how = r.kind === 'thousands' ? 'without the thousands separator' : 'with "." as the decimal mark';
          out.push({
            title: `Write ${r.text} (${how})`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            isPreferred: repairs.length === 1,
            edit: { changes: { [uri]: [{ range: d.range, newText: r.text }] } },
          });
          const all = data.column !== undefined ? this.repairAll(uri, data.column, r.kind) : undefined;
          if (all && all.length > 1) {
            out.push({ title: `Write all ${all.length} values like "${data.value}" in "${data.column}" ${how}`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: all } } });
          }
        }
      }
      if (d.code === 'duplicate-row') out.push(...this.duplicateRowActions(uri, d));
      if (d.code === 'ragged-row') out.push(...this.shortRowActions(uri, d));
      if (d.code === 'missing-spelling' && data.value !== undefined && data.column !== undefined) out.push(...this.missingSpellingActions(uri, d, data.column, data.value));
      if (d.code === 'partner-missing-column' && data.renameTo !== undefined) {
        const st = this.syncedDoc(uri);
        if (st?.model) {
          const c = st.model.cols.findIndex((col) => col.name === data.column);
          if (c >= 0) {
            const edit: TextEdit = { range: new Locator(st.model).headerCell(c), newText: csvField(data.renameTo, String.fromCharCode(st.model.delim)) };
            out.push({ title: `Rename column "${data.column}" to "${data.renameTo}" (as in the partner)`, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes: { [uri]: [edit] } } });
          }
        }
      }
      if (d.code === 'experiment-unknown-column' && data.renameTo !== undefined) {
        out.push({
          title: `Change to "${data.renameTo}"`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: true,
          edit: { changes: { [uri]: [{ range: d.range, newText: JSON.stringify(data.renameTo) }] } },
        });
      }
      if (data.experiment && data.datasetIndex !== undefined && data.column !== undefined && !excluded.has(data.column)) {
        const edit = this.excludeEdit(data.experiment, data.datasetIndex, data.column);
        if (edit) {
          excluded.add(data.column);
          out.push({ title: `Exclude column "${data.column}" in the experiment`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [data.experiment]: edit } } });
        }
      }
    }
    return out;
  }

  /** The model of an open CSV document when it is current (scanned, no full re-scan pending). */
  private currentModel(uri: string): { st: CsvDocument; model: CsvModel } | undefined {
    const st = this.syncedDoc(uri);
    const model = st?.model;
    if (!st || !model || st.needsFull || model.scanning) return undefined;
    return { st, model };
  }

  /** The current model's row whose record starts where `d` starts. */
  private rowOf(uri: string, d: Diagnostic): { model: CsvModel; row: number } | undefined {
    const current = this.currentModel(uri);
    if (!current || current.model.rows === 0) return undefined;
    const { st, model } = current;
    const offset = st.doc.offsetAt(d.range.start);
    const row = model.recordAt(offset);
    if (row < 0 || model.store.start[row] !== offset) return undefined;
    return { model, row };
  }

  /**
   * Edits rewriting every text cell of column `c` whose dictionary code has a rewrite
   * (`rewrite[code]`); undefined when none has one or there are more than REPAIR_ALL_LIMIT.
   */
  private rewriteCells(model: CsvModel, c: number, rewrite: readonly (string | undefined)[]): TextEdit[] | undefined {
    if (!rewrite.some((t) => t !== undefined)) return undefined;
    const kinds = model.store.kinds[c];
    const codes = model.store.codes[c]!;
    const loc = new Locator(model);
    const edits: TextEdit[] = [];
    for (let r = 0; r < model.rows; r++) {
      if (kinds[r] !== CellKind.Text) continue;
      const text = rewrite[codes[r]];
      if (text === undefined) continue;
      if (edits.length === REPAIR_ALL_LIMIT) return undefined;
      edits.push({ range: loc.cell(r, c), newText: text });
    }
    return edits;
  }

  /** "Add N empty fields" for a row shorter than the header (a long row's extra fields are left to the user: often an unquoted delimiter). */
  private shortRowActions(uri: string, d: Diagnostic): CodeAction[] {
    const at = this.rowOf(uri, d);
    if (!at) return [];
    const { model, row } = at;
    const missing = model.cols.length - model.store.fields[row];
    if (missing <= 0 || model.store.flags[row] & FLAG_UNTERMINATED) return [];
    const end = new Locator(model).at(model.recordEnd(row));
    const title = `Add ${missing} empty field${missing === 1 ? '' : 's'} to complete the row (missing values)`;
    return [{ title, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: [{ range: { start: end, end }, newText: String.fromCharCode(model.delim).repeat(missing) }] } } }];
  }

  /**
   * For a cell that spells a missing value the settings do not know ("n/a"): write it as the
   * first configured token (usually the empty cell) instead, here or in every such cell of the
   * column. The other fix, adding the spelling to the tokens, keeps the file as it is.
   */
  private missingSpellingActions(uri: string, d: Diagnostic, column: string, value: string): CodeAction[] {
    const token = this.settings.missingTokens[0];
    if (token === undefined) return [];
    const model = this.syncedDoc(uri)?.model;
    const shown = token === '' ? 'an empty cell' : `"${token}"`;
    const field = model ? csvField(token, String.fromCharCode(model.delim)) : token;
    const out: CodeAction[] = [
      { title: `Replace "${value}" with ${shown} (a missing value)`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: [{ range: d.range, newText: field }] } } },
    ];
    const current = this.currentModel(uri);
    const c = current ? current.model.cols.findIndex((col) => col.name === column) : -1;
    if (!current || c < 0) return out;
    const edits = this.rewriteCells(current.model, c, current.model.cols[c].strings.map((v) => (v === value ? field : undefined)));
    if (edits && edits.length > 1) out.push({ title: `Replace all ${edits.length} "${value}" in "${column}" with ${shown}`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: edits } } });
    return out;
  }

  /**
   * "Delete this duplicate row" and "delete all duplicate rows" for a duplicate-row diagnostic,
   * from the current model (nothing when the model is not current or the row it points at is no
   * longer a duplicate). First occurrences are kept.
   */
  private duplicateRowActions(uri: string, d: Diagnostic): CodeAction[] {
    const at = this.rowOf(uri, d);
    if (!at) return [];
    const { model, row } = at;
    const first = model.duplicateRows().first;
    if (first[row] < 0 || first[row] === row) return [];
    const loc = new Locator(model);
    const out: CodeAction[] = [
      {
        title: `Delete this duplicate row (same as line ${model.store.line[first[row]] + 1})`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        edit: { changes: { [uri]: [{ range: loc.wholeRow(row), newText: '' }] } },
      },
    ];
    const all: TextEdit[] = [];
    for (let r = 0; r < model.rows; r++) {
      if (first[r] < 0 || first[r] === r) continue;
      if (all.length === REPAIR_ALL_LIMIT) return out;
      all.push({ range: loc.wholeRow(r), newText: '' });
    }
    if (all.length > 1) {
      out.push({ title: `Delete all ${all.length} duplicate rows (keep each first occurrence)`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: all } } });
    }
    return out;
  }

  /**
   * Edits rewriting every cell of `column` that reads as a number in the `kind` way (see
   * numberRepairs), from the current model; undefined when the model is not current or there
   * are more than REPAIR_ALL_LIMIT such cells.
   */
  private repairAll(uri: string, column: string, kind: NumberRepair['kind']): TextEdit[] | undefined {
    const current = this.currentModel(uri);
    const c = current ? current.model.cols.findIndex((col) => col.name === column) : -1;
    if (!current || c < 0) return undefined;
    // The rewrite of each distinct text value, computed once.
    return this.rewriteCells(current.model, c, current.model.cols[c].strings.map((v) => numberRepairs(v).find((r) => r.kind === kind)?.text));
  }

  /** Edits adding `column` to datasets[index].exclude of an experiment file (open or on disk). */
  private excludeEdit(expUri: string, index: number, column: string): TextEdit[] | undefined {
    const open = this.expDocs.get(expUri);
    const file = uriToPath(expUri);
    const exp = file ? this.index.get(file) : undefined;
    const text = open?.getText() ?? exp?.text;
    if (text === undefined) return undefined;
    const doc = open ?? TextDocument.create(expUri, 'json', 0, text);
    const parsed = parseExperiment(file ?? expUri, expUri, text);
    const ds = parsed.datasets.find((d) => d.index === index);
    if (!ds || ds.exclude.includes(column)) return undefined;
    const existing: Node | undefined = findNodeAtLocation(ds.node, ['exclude']);
    const options = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };
    const edits =
      existing && existing.type === 'array'
        ? modify(text, ['datasets', index, 'exclude', existing.children?.length ?? 0], column, { ...options, isArrayInsertion: true })
        : modify(text, ['datasets', index, 'exclude'], [column], options);
    return edits.map((e) => ({ range: { start: doc.positionAt(e.offset), end: doc.positionAt(e.offset + e.length) }, newText: e.content }));
  }

  // ---- custom requests ----------------------------------------------------------------------

  registerCustomRequests(): void {
    this.connection.onNotification(DiskFilesNotification.type, (p) => this.setDiskFiles(Array.isArray(p?.uris) ? p.uris.filter((u): u is string => typeof u === 'string') : []));
    this.connection.onRequest(ColumnProfilesRequest.type, (p) => {
      const st = this.syncedDoc(p.uri);
      if (!st?.model || st.needsFull) return null;
      const tol = this.settings.diagnostics.numericTolerance;
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
    this.connection.onRequest(PairingsRequest.type, (p) => ({
      experiments: this.pairingsOf(p.uri).map((pair) => ({
        uri: pair.experiment.uri,
        datasets: pair.experiment.datasets
          .filter((d) => d.file !== undefined)
          .map((d) => ({ name: d.name, uri: pathToFileURL(d.file!).toString(), ...(d.label !== undefined ? { label: d.label } : {}) })),
      })),
    }));
  }
}

function csvField(value: string, delim: string): string {
  return /["\r\n]/.test(value) || value.includes(delim) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toProfile(name: string, s: ColumnStats, distinct: number): ColumnProfile {
  // Numeric columns count numbers only: cells that broke the type are not values (as in the core profile).
  const base = { name, type: s.type, count: s.type === 'numeric' ? s.numbers : s.count, missing: s.missing, distinct };
  if (s.type === 'numeric') return { ...base, mean: s.mean, std: s.std, min: s.min, median: s.median, mad: s.mad, max: s.max, histogram: s.histogram };
  return { ...base, topCategories: s.categories.slice(0, 10).map(([value, count]) => ({ value, count })) };
}

export function profileMarkdown(name: string, s: ColumnStats, rows: number, distinct: number): string {
  const missingShare = rows ? ((s.missing + (rows - s.present)) / rows) * 100 : 0;
  const lines = [`**${name}** · ${s.type} · ${rows} rows`, `missing ${s.missing + (rows - s.present)} (${missingShare.toFixed(1)}%) · distinct ${distinct}`];
  if (s.type === 'numeric') {
    lines.push(`mean ${fmt(s.mean)} · std ${fmt(s.std)}`, `min ${fmt(s.min)} · median ${fmt(s.median)} · max ${fmt(s.max)}`, '`' + sparkline(s.histogram) + '`');
  } else {
    const total = s.count || 1;
    const top = s.categories.slice(0, 5).map(([v, n]) => `\`${v}\` ${n} (${((n / total) * 100).toFixed(1)}%)`);
    lines.push(`top: ${top.join(', ')}${s.categories.length > 5 ? `, ... ${s.categories.length - 5} more` : ''}`);
    lines.push('`' + sparkline(s.categories.slice(0, 10).map(([, n]) => n)) + '`');
  }
  return lines.join('  \n');
}

