/**
 * A self-contained HTML report: the dashboard's own webview bundle (dist/webview.js) and
 * stylesheet inlined, with the data embedded as JSON in a non-executable
 * `<script type="application/json">` block. The page itself (CSP, tags, the JSON embedding) is
 * src/protocol/htmlPage.ts, shared with the webview panel.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ComparisonReport } from '../core/compare';
import type { CurvePoint, DashboardSnapshot, PastRun, DashboardResults, TrainingStatus } from '../protocol/dashboard';
import { dashboardPage, newNonce } from '../protocol/htmlPage';
import { writeFileAtomic } from '../protocol/runFolder/write';

export type HtmlReportData =
  | { readonly kind: 'compare'; readonly report: ComparisonReport }
  | {
      readonly kind: 'run';
      /** Absent for a run that did not complete: the report then opens on its curves and status. */
      readonly results?: DashboardResults;
      readonly points?: readonly CurvePoint[];
      readonly status?: TrainingStatus;
      readonly runs?: readonly PastRun[];
    };

/** Where the bundled assets are: next to this bundle (dist/) and its sibling media/. */
function assetRoots(): string[] {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  return [here, resolve(here, '..'), resolve(here, '..', '..'), process.cwd()];
}

function findAsset(rel: string): string {
  for (const root of assetRoots()) {
    const p = join(root, rel);
    if (existsSync(p)) return p;
  }
  throw new Error(`cannot find ${rel} (build the dashboard with "npm run build")`);
}

function readAsset(relCandidates: readonly string[]): string {
  for (const rel of relCandidates) {
    try {
      return readFileSync(findAsset(rel), 'utf8');
    } catch {
      /* try the next */
    }
  }
  throw new Error(`cannot find ${relCandidates[0]} (build the dashboard with "npm run build")`);
}

export function snapshotFor(data: HtmlReportData): DashboardSnapshot {
  if (data.kind === 'compare') return { view: 'compare', compare: data.report, staticReport: true, trainingAllowed: false };
  if (!data.results) {
    const status: TrainingStatus = data.status ?? { runId: '', name: '', state: 'interrupted', arms: [] };
    return { view: 'training', training: { status, points: data.points ?? [] }, runs: data.runs ?? [], staticReport: true, trainingAllowed: false };
  }
  return {
    view: 'results',
    results: data.results,
    ...(data.points && data.points.length
      ? {
          training: {
            status: data.status ?? { runId: data.results.runId, name: data.results.runId, state: 'completed', arms: [...new Set(data.points.map((p) => p.arm))] },
            points: data.points,
          },
        }
      : {}),
    runs: data.runs ?? [],
    staticReport: true,
    trainingAllowed: false,
  };
}

export function renderHtmlReport(data: HtmlReportData, options: { script?: string; css?: string } = {}): string {
  const script = options.script ?? readAsset(['dist/webview.js', 'webview.js']);
  const css = options.css ?? readAsset(['media/dashboard.css']);
  const title =
    data.kind === 'compare'
      ? `Dataset Lab: ${data.report.datasets.map((d) => d.name).join(' vs ')}`
      : `Dataset Lab run ${data.results?.runId ?? data.status?.runId ?? ''}${data.results ? '' : ` (${data.status?.state ?? 'incomplete'})`}`;
  return dashboardPage(title, newNonce(), { kind: 'file', css, script, data: snapshotFor(data) });
}

/** Write the report atomically (temp file, then rename: a link at `file` is replaced, not followed). */
export async function writeHtmlReport(data: HtmlReportData, file: string): Promise<void> {
  writeFileAtomic(resolve(file), renderHtmlReport(data));
}
