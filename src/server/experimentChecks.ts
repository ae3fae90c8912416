/**
 * Checking open experiment files (`*.experiment.json`): when (at once, or after a burst of
 * edits), and the check itself: the document is parsed into the experiment index (so CSV files
 * it names see their new partners), checked by experimentDiagnostics.ts against the datasets it
 * names, and its diagnostics published (`textDocument/publishDiagnostics`).
 */
import { defaultModelCache } from '../training/text/textContext';
import { burstWait, MIN_QUIET_MS } from './checkScheduler';
import { checkExperiment } from './experimentDiagnostics';
import { parseExperiment } from './experiments';
import type { EditArrival } from './queuedChanges';
import { uriToPath, type ServerState } from './serverState';

export class ExperimentChecks {
  /** Experiment documents edited and not yet checked (since when), and their pending checks. */
  private readonly unchecked = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** `recheckCsv` re-checks every open CSV document (their pairings may have changed). */
  constructor(
    private readonly state: ServerState,
    private readonly recheckCsv: () => void,
  ) {}

  /** Every open experiment document: after settings or files on disk change. */
  recheckAll(): void {
    for (const uri of this.state.expDocs.keys()) void this.run(uri);
  }

  /** An edit of an open experiment document was applied at `now`: check it now or after the burst. */
  edited(uri: string, arrival: EditArrival, now: number): void {
    const wait = burstWait(arrival, now, this.unchecked.get(uri) ?? now, MIN_QUIET_MS);
    if (!this.unchecked.has(uri)) this.unchecked.set(uri, now);
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    const run = () => {
      this.timers.delete(uri);
      this.unchecked.delete(uri);
      void this.run(uri);
    };
    if (wait === 0) run();
    else this.timers.set(uri, setTimeout(run, wait));
  }

  /** Drops a pending check (the document is closed). */
  cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
    this.unchecked.delete(uri);
  }

  async run(uri: string): Promise<void> {
    const state = this.state;
    await state.ready;
    const doc = state.expDocs.get(uri);
    const file = uriToPath(uri);
    if (!doc) return;
    const exp = parseExperiment(file ?? uri, uri, doc.getText());
    // Open CSV documents pair through the index: they are re-checked when this text changes it,
    // not when the same text is checked again (a model file or a setting changed).
    const pairingsMayChange = !file || state.index.get(file)?.text !== exp.text;
    if (file) state.index.set(exp);
    const diagnostics = await checkExperiment(exp, doc, {
      settings: state.settings,
      roots: state.roots,
      load: (f) => state.loadDataset(f),
      modelCache: defaultModelCache(),
    });
    if (state.expDocs.get(uri) !== doc) return;
    await state.connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
    if (pairingsMayChange) this.recheckCsv();
  }
}
