// "Use this mapping" in a real extension host: the comparison finds a renamed column in other
// units (wind in km/h as "wind_kmh" against Seattle's wind in m/s), the compare view's steps
// (src/protocol/mappingSteps.ts, what its buttons send) go through datasetLab.useMapping, the
// command the dashboard's useMapping request runs: it finds the one experiment file using the
// data file, adds the steps to that dataset's transform as an undoable WorkspaceEdit, and the
// experiment is still valid for the trainer; Undo restores the file's text.
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ComparisonReport } from '../../src/protocol/dashboard';
import { renameStep, unitStep } from '../../src/protocol/mappingSteps';
import { resolveExperiment } from '../../src/training/experiment';
import { api } from './helpers';

function ws(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return f.uri.fsPath;
}

describe('use this mapping', function () {
  this.timeout(120_000);
  const made: string[] = [];
  after(() => {
    for (const f of made) rmSync(f, { force: true });
  });

  it('writes the suggested rename and unit conversion into the experiment, undoably', async () => {
    await api();
    const root = ws();
    const [head, ...lines] = readFileSync(join(root, 'seattle.csv'), 'utf8').trim().split('\n');
    const names = head.split(',');
    const wind = names.indexOf('wind');
    names[wind] = 'wind_kmh';
    const converted = lines.map((l) => {
      const cells = l.split(',');
      if (cells[wind] !== '') cells[wind] = (Number(cells[wind]) * 3.6).toFixed(2);
      return cells.join(',');
    });
    const other = join(root, 'mapping-kmh.csv');
    const experiment = join(root, 'mapping.experiment.json');
    made.push(other, experiment);
    writeFileSync(other, [names.join(','), ...converted].join('\n') + '\n');
    const original = JSON.stringify({ version: 1, datasets: [{ name: 'ms', path: 'seattle.csv', label: 'weather' }, { name: 'kmh', path: 'mapping-kmh.csv', label: 'weather' }] }, null, 2) + '\n';
    writeFileSync(experiment, original);

    const report = (await vscode.commands.executeCommand('datasetLab.compareDatasets', { files: [vscode.Uri.file(join(root, 'seattle.csv')), vscode.Uri.file(other)], labels: ['weather'] })) as ComparisonReport | undefined;
    assert.ok(report);
    const pair = report.comparisons[0];
    assert.deepEqual(pair.schema.suggestions.map((s) => [s.reference, s.other]), [['wind', 'wind_kmh']]);
    const unit = pair.unitDifferences?.[0];
    assert.ok(unit, 'the unit difference is found');
    assert.deepEqual([unit.reference, unit.other, unit.factor, unit.conversion], ['wind', 'wind_kmh', 3.6, 'm/s -> km/h']);

    const otherPath = report.datasets[1].path;
    const convert = unitStep(unit.reference, unit.other, unit.factor);
    const written = await vscode.commands.executeCommand('datasetLab.useMapping', { file: otherPath, step: convert });
    assert.equal(written, 'mapping.experiment.json');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(experiment));
    assert.ok(doc.isDirty, 'an editor edit, not a silent write to disk');
    const after1 = JSON.parse(doc.getText()) as { datasets: { transform?: unknown[] }[] };
    assert.deepEqual(after1.datasets[1].transform, [{ derive: { wind: 'd => d["wind_kmh"] / 3.6' } }]);
    assert.equal(after1.datasets[0].transform, undefined);
    // A second step goes after the first; the same step twice is not added again.
    await vscode.commands.executeCommand('datasetLab.useMapping', { file: otherPath, step: renameStep('wind', 'wind_kmh') });
    await vscode.commands.executeCommand('datasetLab.useMapping', { file: otherPath, step: convert });
    const after2 = JSON.parse(doc.getText()) as { datasets: { transform?: unknown[] }[] };
    assert.deepEqual(after2.datasets[1].transform, [{ derive: { wind: 'd => d["wind_kmh"] / 3.6' } }, { rename: { wind_kmh: 'wind' } }]);
    // What the trainer will read: valid, with the steps parsed.
    const resolved = resolveExperiment(JSON.parse(doc.getText()), experiment);
    assert.deepEqual(resolved.datasets[1].transform, after2.datasets[1].transform);

    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), original, 'two undos restore the file as it was');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('with no experiment using the file, it says so and edits nothing', async () => {
    const root = ws();
    // A data file of its own: other tests' experiments use the workspace's example files (with
    // several the command would ask which one, and wait).
    const unused = join(root, 'mapping-unused.csv');
    writeFileSync(unused, readFileSync(join(root, 'new-york.csv')));
    made.push(unused);
    const before = readFileSync(unused, 'utf8');
    const written = await vscode.commands.executeCommand('datasetLab.useMapping', { file: unused, step: renameStep('a', 'b') });
    assert.equal(written, null);
    assert.equal(readFileSync(unused, 'utf8'), before);
  });
});
