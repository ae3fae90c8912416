// The server's JSON Schema checker on its own: the string keywords of the experiment schema
// (pattern, maxLength, minLength) on a jsonc-parser tree, with the JSON path in each message.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseTree } from '../../../src/server/jsonc';
import { validate, type Schema } from '../../../src/server/jsonSchema';
import experimentSchema from '../../../schemas/experiment.schema.json';

const schema: Schema = {
  type: 'object',
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 4, pattern: '^[a-z]+$' },
    tags: { type: 'array', items: { type: 'string', pattern: 'x' } },
  },
};

const errors = (text: string) => validate(schema, parseTree(text)!).map((e) => [e.path, e.message, text.slice(e.node.offset, e.node.offset + e.node.length)]);

test('pattern and maxLength are checked, each on the offending value', () => {
  assert.deepEqual(errors('{"id": "abc", "tags": ["x", "axb"]}'), []);
  assert.deepEqual(errors('{"id": "abcde"}'), [['id', 'id: has 5 characters, at most 4 allowed', '"abcde"']]);
  assert.deepEqual(errors('{"id": "aB"}'), [['id', 'id: "aB" does not match the pattern ^[a-z]+$', '"aB"']]);
  assert.deepEqual(errors('{"id": "", "tags": ["y"]}'), [
    ['id', 'id: must not be empty', '""'],
    ['id', 'id: "" does not match the pattern ^[a-z]+$', '""'],
    ['tags[0]', 'tags[0]: "y" does not match the pattern x', '"y"'],
  ]);
});

test('lengths count characters, not UTF-16 units', () => {
  // Four characters, eight UTF-16 units: within maxLength 4 (the pattern is another matter).
  assert.deepEqual(
    errors('{"id": "😀😀😀😀"}').map(([, m]) => m),
    ['id: "😀😀😀😀" does not match the pattern ^[a-z]+$'],
  );
});

test('the experiment schema the server checks with accepts "evaluation" and flags its mistakes on the value', () => {
  const check = (evaluation: string) =>
    validate(experimentSchema as Schema, parseTree(`{"version": 1, "datasets": [{"name": "a", "path": "a.csv", "label": "y"}], "evaluation": ${evaluation}}`)!).map((e) => e.message);
  assert.deepEqual(check('{"method": "cv", "folds": 10}'), []);
  assert.deepEqual(check('{"method": "repeated-cv", "folds": 5, "repeats": 3, "confidence": 0.9, "bootstrap": 5000, "seed": 1}'), []);
  assert.deepEqual(check('{"method": "kfold"}'), ['evaluation.method: "kfold" is not one of "holdout", "cv", "repeated-cv"']);
  assert.deepEqual(check('{"folds": 1}'), ['evaluation.folds: must be >= 2']);
  assert.deepEqual(check('{"confidence": 1}'), ['evaluation.confidence: must be < 1']);
  assert.equal(check('{"colour": 1}').length, 1);
});
