/**
 * When and how an open CSV/TSV document is checked, and the check itself: after an edit, bursts
 * of edits wait for a quiet moment; a full scan and the column statistics run in time slices so
 * the server keeps answering; then the cross-dataset findings (partners.ts) and the cell checks
 * (csvDiagnostics.ts). Sends `textDocument/publishDiagnostics`, `datasetLab/checked` and, for
 * large documents, work-done progress; collects garbage after large documents' checks.
 */
import { basename } from 'node:path';
import { CheckedNotification } from '../protocol/lsp';
import { releaseStatsScratch } from './columnStats';
import { CheckProgress } from './checkProgress';
import { checkCsv } from './csvDiagnostics';
import type { CsvDocument } from './csvDocument';
import { CsvModel } from './csvModel';
import type { DiagnosticData } from './diagnosticData';
import { collectGarbageSoon } from './garbageCollection';
import type { Partners } from './partners';
import type { EditArrival } from './queuedChanges';
import { uriToPath, type ServerState } from './serverState';
import { StatsCache } from './statsCache';

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Characters above which a full scan is followed by a garbage collection (when exposed). */
const LARGE_DOCUMENT = 16 * 1024 * 1024;

/** Characters from which a full check reports work-done progress (about a quarter of a second of work). */
const PROGRESS_MIN_CHARS = 8 * 1024 * 1024;

/**
 * A burst of edits is checked once no edit has come for its quiet period: the last check's cost
 * (an edit that arrives sooner would have found the server still checking), within these bounds.
 */
export const MIN_QUIET_MS = 5;
const MAX_QUIET_MS = 50;
/** Longest a burst of edits goes unchecked while it lasts. */
const MAX_STALE_MS = 500;

/**
 * How long to wait before checking after an edit. An edit on its own (none waiting behind it,
 * the previous one at least `quiet` ms earlier) is checked at once: typing gets its diagnostics
 * without delay. Edits closer together are a burst: checked when no edit has come for `quiet`
 * ms, and at least every MAX_STALE_MS while the burst lasts (counted from the oldest edit not
 * yet checked), so 10,000 rapid edits cost a few checks, not 10,000. The check always covers
 * the latest version.
 */
export function burstWait(arrival: EditArrival, now: number, uncheckedSince: number, quiet: number): number {
  if (!arrival.moreQueued && arrival.gapMs >= quiet) return 0;
  const stale = now - uncheckedSince;
  return stale >= MAX_STALE_MS ? 0 : Math.min(quiet, MAX_STALE_MS - stale);
}

export class CheckScheduler {
  constructor(
    private readonly state: ServerState,
    private readonly partners: Partners,
  ) {}

  /** Checks `st` after `delay` ms (0: as soon as the messages already read are handled). */
  schedule(st: CsvDocument, delay: number): void {
    if (st.timer) clearTimeout(st.timer);
    const run = () => {
      st.timer = undefined;
      void this.run(st);
    };
    st.timer = delay > 0 ? setTimeout(run, delay) : (setImmediate(run) as unknown as NodeJS.Timeout);
  }

  /** Every open CSV document: after settings, experiment files or files on disk change. */
  recheckAll(): void {
    for (const st of this.state.csvDocs.values()) this.schedule(st, 0);
  }

  /** Drops a document's pending check and comparison timers (it is closed or replaced). */
  stop(st: CsvDocument): void {
    if (st.timer) clearTimeout(st.timer);
    if (st.compareTimer) clearTimeout(st.compareTimer);
    st.timer = st.compareTimer = undefined;
  }

  /** An edit of `st` arrived at `now`, before it is applied: when the answer to it is timed from. */
  editArrived(st: CsvDocument, now: number): void {
    if (!st.timer && !st.running) {
      st.pendingSince = now;
      st.incremental = true;
    }
    if (st.uncheckedSince === 0) st.uncheckedSince = now;
  }

  /**
   * An edit was applied to `st`'s model: check it now or after the burst. `arrival` (from
   * QueuedChanges) says when it arrived after the previous edit and whether more are waiting.
   */
  scheduleAfterEdit(st: CsvDocument, arrival: EditArrival, now: number): void {
    // A full re-scan waits about as long as the last one took, so typing into a large file's
    // header does not queue scan after scan.
    const d = this.state.settings.diagnostics;
    const quiet = Math.min(MAX_QUIET_MS, Math.max(MIN_QUIET_MS, st.checkCostMs));
    this.schedule(st, Math.max(d.debounceMs, st.needsFull && st.lastFullMs > 50 ? Math.min(st.lastFullMs, 1000) : 0, burstWait(arrival, now, st.uncheckedSince, quiet)));
  }

  private async run(st: CsvDocument): Promise<void> {
    if (st.running) {
      st.rerun = true;
      return;
    }
    st.running = true;
    const state = this.state;
    const connection = state.connection;
    let progress: CheckProgress | undefined;
    try {
      await state.ready;
      do {
        st.rerun = false;
        const started = performance.now();
        if (state.csvDocs.get(st.uri) !== st) return;
        st.sync();
        if (!state.settings.diagnostics.enable) {
          await connection.sendDiagnostics({ uri: st.uri, diagnostics: [] });
          return;
        }
        let incremental = st.incremental;
        if (st.needsFull || !st.model) {
          incremental = false;
          if (!progress && state.canShowProgress && st.doc.getText().length >= PROGRESS_MIN_CHARS) progress = new CheckProgress(connection, `Dataset Lab: checking ${basename(uriToPath(st.uri) ?? st.uri)}`);
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
          st.stats!.get(c, state.settings.diagnostics.numericTolerance);
          if (performance.now() - slice > 25) {
            progress?.report(80 + (15 * (c + 1)) / model.cols.length, 'column statistics');
            await tick();
            slice = performance.now();
            if (st.needsFull || state.csvDocs.get(st.uri) !== st) break;
          }
        }
        if (state.csvDocs.get(st.uri) !== st) return;
        if (st.needsFull) {
          st.rerun = true;
          continue;
        }
        const pairings = this.partners.pairingsOf(st.uri);
        const cross = await this.partners.crossFor(st, model, st.stats!, pairings);
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
        let diagnostics = checkCsv(model, { uri: st.uri, settings: state.settings, stats: st.stats!, labels, headerFindings: cross });
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
        await connection.sendDiagnostics({ uri: st.uri, ...(st.fromDisk ? {} : { version: st.doc.version }), diagnostics });
        const durationMs = performance.now() - st.pendingSince;
        st.lastCheckMs = durationMs;
        void connection.sendNotification(CheckedNotification.type, {
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
          this.partners.recheckPartnersOf(st);
        }
        // Opening a large file leaves its JSON-RPC message (about its size, three times) as
        // garbage that V8 would keep until the next major collection, and the check's buffers
        // (the size of a column) until the next check. When the process runs with --expose-gc,
        // drop the buffers and collect once, after publishing.
        if (model.text.length > LARGE_DOCUMENT) {
          // Each edit of a large document also leaves a copy of its text behind (JS strings
          // are immutable): collect it too, at most once per 200 ms while typing.
          if (!incremental) releaseStatsScratch();
          collectGarbageSoon(!incremental);
        }
      } while (st.rerun);
    } catch (err) {
      connection.console.error(`dataset-lab: checking ${st.uri} failed: ${(err as Error).stack ?? err}`);
    } finally {
      st.running = false;
      progress?.done();
    }
  }

  /** Builds the model from the whole text in slices; false when the document changed meanwhile. */
  private async fullScan(st: CsvDocument, progress?: CheckProgress): Promise<boolean> {
    const version = st.doc.version;
    const model = new CsvModel({ delimiter: st.delimiter(), missingTokens: this.state.settings.missingTokens });
    const started = performance.now();
    model.begin(st.doc.getText());
    while (!model.step(performance.now() + 25)) {
      progress?.report(80 * model.scanFraction, 'reading rows');
      await tick();
      if (st.doc.version !== version || this.state.csvDocs.get(st.uri) !== st) return false;
    }
    if (st.doc.version !== version) return false;
    st.model = model;
    st.stats = new StatsCache(model);
    st.needsFull = false;
    st.lastFullMs = performance.now() - started;
    return true;
  }
}
