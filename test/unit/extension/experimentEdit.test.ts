// The edits "Use this mapping" applies, on text: appended to an existing transform or creating
// it, the file's indentation kept, the dataset found by its resolved path; the written steps
// are what the trainer accepts and, applied to real data, bring the values into the
// reference's units.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits } from 'jsonc-parser/lib/esm/main.js';
import { parseCsvText } from '../../../src/core/ingest';
import { applyTransforms } from '../../../src/core/transform/applyTransforms';
import { parseTransformSteps } from '../../../src/core/transform/transformSteps';
import { columnByName } from '../../../src/core/table';
import { appendStepEdits, datasetIndexOf, hasStep } from '../../../src/extension/experimentEdit';
import { describeStep, renameStep, unitStep } from '../../../src/protocol/mappingSteps';
import { resolveExperiment } from '../../../src/training/experiment';

const text = `{
    "version": 1,
    "datasets": [
        { "name": "a", "path": "data/a.csv", "label": "y" },
        { "name": "b", "path": "./data/../data/b.csv", "label": "y", "transform": [{ "select": ["x_kg", "y"] }] }
    ]
}
`;

test('finds the dataset by its resolved path', () => {
  assert.equal(datasetIndexOf(text, '/w/e.experiment.json', '/w/data/b.csv'), 1);
  assert.equal(datasetIndexOf(text, '/w/e.experiment.json', '/w/data/a.csv'), 0);
  assert.equal(datasetIndexOf(text, '/w/e.experiment.json', '/elsewhere/b.csv'), -1);
});

test('creates or extends the transform, keeps the indentation, and the trainer accepts the result', () => {
  const step = unitStep('x', 'x_kg', 1 / 1000);
  assert.deepEqual(step, { derive: { x: 'd => d["x_kg"] * 1000' } });
  assert.equal(describeStep(step), 'derive "x" = d["x_kg"] * 1000');
  const a = applyEdits(text, appendStepEdits(text, 0, renameStep('y', 'label')));
  const b = applyEdits(a, appendStepEdits(a, 1, step));
  const doc = JSON.parse(b) as { datasets: { transform?: unknown[] }[] };
  assert.deepEqual(doc.datasets[0].transform, [{ rename: { label: 'y' } }]);
  assert.deepEqual(doc.datasets[1].transform, [{ select: ['x_kg', 'y'] }, step]);
  // Inserted text only: every line of the original is still there, the new steps on their dataset's line.
  assert.equal(b, text.replace('"label": "y" },', '"label": "y", "transform": [{ "rename": { "label": "y" } }] },').replace('["x_kg", "y"] }]', '["x_kg", "y"] }, { "derive": { "x": "d => d[\\"x_kg\\"] * 1000" } }]'));
  assert.ok(hasStep(b, 1, step) && !hasStep(b, 0, step));
  const exp = resolveExperiment(doc, '/w/e.experiment.json');
  assert.deepEqual(exp.datasets[1].transform, [{ select: ['x_kg', 'y'] }, step]);
});

test('the unit step, applied, puts the values in the reference units under the reference name', () => {
  const table = parseCsvText('x_kg,y\n3.25,a\n4.1,b\n,c\n', 'b.csv');
  const { steps, issues } = parseTransformSteps([unitStep('x', 'x_kg', 1 / 1000)], '$.datasets[1].transform');
  assert.deepEqual(issues, []);
  const t = applyTransforms(table, steps);
  const x = columnByName(t, 'x');
  assert.ok(x && x.type === 'numeric');
  assert.deepEqual(Array.from(x.values), [3250, 4100, Number.NaN]);
});
