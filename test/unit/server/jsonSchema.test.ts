// The server's JSON Schema checker on its own: the string keywords of the experiment schema
// (pattern, maxLength, minLength) on a jsonc-parser tree, with the JSON path in each message.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseTree } from '../../../src/server/jsonc';
import { validate, type Schema } from '../../../src/server/jsonSchema';

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
