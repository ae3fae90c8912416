/**
 * Partner datasets: the other datasets of the experiments that name a CSV file. Which files pair
 * with which (from the experiment index), the partners' models (open documents, else read from
 * disk), the comparison engine's report of a file against each partner (cached, rate-limited
 * while typing), and re-checking open partners when a file changes. Answers no LSP message:
 * checks (checkScheduler.ts), hovers, CodeLens and `datasetLab/pairings` use it.
 */
import { pathToFileURL } from 'node:url';
import { compareDatasets, type PairComparison } from '../core/compare';
import type { DataTable } from '../core/table';
import type { HeaderFinding } from './csvDiagnostics';
import { crossFindings, type PartnerSide } from './crossDiagnostics';
import type { CsvDocument } from './csvDocument';
import type { CsvModel } from './csvModel';
import { datasetRoots, outsideRootsProblem, samePath, type Pairing } from './experiments';
import { modelToTable } from './modelTable';
import { uriToPath, type ServerState } from './serverState';
import type { StatsCache } from './statsCache';

/** Shortest interval between two comparisons of one document with one partner while editing. */
const COMPARE_INTERVAL_MS = 1500;

export class Partners {
  /** `recheck` schedules a check of an open document (CheckScheduler.schedule at once). */
  constructor(
    private readonly state: ServerState,
    private readonly recheck: (st: CsvDocument) => void,
  ) {}

  /** The experiments that name this document's file, with its partners in each. */
  pairingsOf(uri: string): Pairing[] {
    const file = uriToPath(uri);
    if (!file || !this.state.settings.diagnostics.crossDataset) return [];
    return this.state.index.pairingsFor(file);
  }

  /** Open documents that pair with `st` see its new content (or, once it is closed, its file on disk). */
  recheckPartnersOf(st: CsvDocument): void {
    const file = uriToPath(st.uri);
    if (!file || !this.state.settings.diagnostics.crossDataset) return;
    for (const other of this.state.csvDocs.values()) {
      if (other === st) continue;
      if (this.pairingsOf(other.uri).some((p) => p.partners.some((d) => d.file !== undefined && samePath(d.file, file)))) this.recheck(other);
    }
  }

  /** The partners of one pairing that can be read, with their models; never one outside the workspace (see experimentDiagnostics.ts). */
  async partnerSides(pairing: Pairing): Promise<PartnerSide[]> {
    const out: PartnerSide[] = [];
    const roots = datasetRoots(this.state.roots, pairing.experiment.file);
    for (const ds of pairing.partners) {
      if (outsideRootsProblem(roots, ds.file!, ds.rawPath ?? ds.file!) !== undefined) continue;
      const r = await this.state.loadDataset(ds.file!);
      // Whether the partner has diagnostics of its own (open, or checked from disk): a finding
      // of the pair is then reported once, on one of the two files (crossDiagnostics.ts).
      const doc = [...this.state.csvDocs.values()].find((d) => {
        const p = uriToPath(d.uri);
        return p !== undefined && samePath(p, ds.file!);
      });
      if (!('error' in r)) out.push({ dataset: ds, model: r.model, stats: r.stats, label: ds.label, uri: doc?.uri ?? pathToFileURL(ds.file!).toString(), open: doc !== undefined });
    }
    return out;
  }

  /** The cross-dataset findings on this document's header cells, against every partner of every pairing. */
  async crossFor(st: CsvDocument, model: CsvModel, stats: StatsCache, pairings: Pairing[]): Promise<HeaderFinding[]> {
    const out: HeaderFinding[] = [];
    const tol = this.state.settings.diagnostics.numericTolerance;
    for (const p of pairings) {
      const partners = await this.partnerSides(p);
      for (const side of partners) side.comparison = this.compare(st, model, stats, p, side);
      out.push(...crossFindings({ model, stats, label: p.self.label }, p, partners, tol));
    }
    return out;
  }

  /** The comparison engine on this document against a partner, cached until either side changes. */
  compare(st: CsvDocument, model: CsvModel, stats: StatsCache, p: Pairing, side: PartnerSide): PairComparison | undefined {
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
          this.recheck(st);
        }, COMPARE_INTERVAL_MS - (performance.now() - hit.at));
      }
      return hit.result;
    }
    const tol = this.state.settings.diagnostics.numericTolerance;
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
      this.state.connection.console.warn(`dataset-lab: comparing ${st.uri} with ${side.dataset.file}: ${(err as Error).message}`);
    }
    st.comparisons.set(side.model, { key, model, result, at: performance.now() });
    return result;
  }
}
