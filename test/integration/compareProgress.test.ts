// Compare Datasets' progress and its streaming mode, in a real extension host: the CLI's
// --progress-json stages reach the dashboard in order (the compare view draws each one; the
// e2e suite looks at the card itself), and with datasetLab.compare.streamAboveMB = 0 the command
// runs the streaming mode and the dashboard renders its document.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CompareProgressEvent } from '../../src/protocol/compareProgress';
import type { CompareDocument, ComparisonReport, StreamCompareDocument } from '../../src/protocol/dashboard';
import { api } from './helpers';

function file(name: string): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return vscode.Uri.file(join(f.uri.fsPath, name));
}

/** The stage sequence with repeats collapsed: read:0, read:1, profile, drift, ... */
const stages = (events: readonly CompareProgressEvent[]) => events.map((e) => (e.stage === 'read' ? `read:${e.fileIndex}` : e.stage)).filter((s, i, all) => s !== all[i - 1]);

/**
 * The compare view's render with `rows` drift rows, from `since` on: a comparison run by the
 * test before may still be drawing when this one starts, so renders of other rows are passed over.
 */
async function renderWithRows(a: Awaited<ReturnType<typeof api>>, rows: number, since: number): Promise<{ rows: number; charts: number }> {
  const deadline = Date.now() + 30_000;
  for (let from = since; ; ) {
    const r = await a.dashboard.waitForRender('compare', Math.max(1, deadline - Date.now()), from);
    if (r.rows === rows) return r;
    from = a.dashboard.rendered.lastIndexOf(r) + 1;
  }
}

describe('compare progress and streaming', function () {
  this.timeout(120_000);

  afterEach(async () => {
    await vscode.workspace.getConfiguration('datasetLab.compare').update('streamAboveMB', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('the dashboard hears every stage of the comparison, in order, and the report replaces the progress', async () => {
    const a = await api();
    const from = a.dashboard.compareStages.length;
    const since = a.dashboard.rendered.length;
    const report = (await vscode.commands.executeCommand('datasetLab.compareDatasets', { files: [file('seattle.csv'), file('new-york.csv')], labels: ['weather'] })) as ComparisonReport | undefined;
    assert.ok(report && !('mode' in report), 'the in-memory report');
    const events = a.dashboard.compareStages.slice(from);
    assert.deepEqual(stages(events), ['read:0', 'read:1', 'profile', 'drift', 'label', 'units', 'domain', 'recommend']);
    const fractions = events.map((e) => e.fraction);
    assert.deepEqual(fractions, [...fractions].sort((x, y) => x - y), 'the percentage never goes back');
    const drift = events.filter((e) => e.stage === 'drift').at(-1);
    assert.equal(drift?.done, report.comparisons[0].features.length, 'drift counted every feature');
    // The progress gave way to the report.
    assert.equal(a.dashboard.snapshot().comparing, undefined);
    await renderWithRows(a, report.comparisons[0].features.length, since);
  });

  it('streamAboveMB = 0: the streaming mode, its stages, and its document on the dashboard', async () => {
    const a = await api();
    await vscode.workspace.getConfiguration('datasetLab.compare').update('streamAboveMB', 0, vscode.ConfigurationTarget.Workspace);
    const from = a.dashboard.compareStages.length;
    const since = a.dashboard.rendered.length;
    const lastReport = a.commands.lastReport;
    const doc = (await vscode.commands.executeCommand('datasetLab.compareDatasets', { files: [file('seattle.csv'), file('new-york.csv')], labels: ['weather'] })) as CompareDocument | undefined;
    assert.ok(doc && 'mode' in doc && doc.mode === 'streaming', 'the streaming document');
    const streamed = doc as StreamCompareDocument;
    assert.deepEqual(stages(a.dashboard.compareStages.slice(from)), ['read:0', 'read:1', 'sketch']);
    assert.equal((a.dashboard.snapshot().compare as StreamCompareDocument | undefined)?.mode, 'streaming', 'the dashboard holds the streaming document');
    const rendered = await renderWithRows(a, streamed.features?.length ?? -1, since);
    assert.ok(rendered.charts > 0, 'distributions drawn from the sketches');
    // The scaffold buttons read the last in-memory report: a streamed comparison does not replace it.
    assert.equal(a.commands.lastReport, lastReport);
  });
});
