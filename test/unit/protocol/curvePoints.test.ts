import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochPoints } from '../../../src/protocol/dashboard';

const metrics = (r: Parameters<typeof epochPoints>[0]) => epochPoints(r).map((p) => `${p.arm} ${p.metric}`);

test('every arm with a per-dataset loss reaches that dataset\'s loss chart; a merged model\'s one loss does not', () => {
  // A separate model has one head, named after its dataset: its loss is that dataset's too.
  assert.deepEqual(
    metrics({ arm: 'separate', model: 'separate/seattle', epoch: 1, trainLoss: 0.5, valLoss: 0.6, heads: { seattle: { trainLoss: 0.5, valLoss: 0.6, weight: 1 } }, sources: { seattle: { metric: 'accuracy', value: 0.8 } } }),
    ['separate/seattle loss', 'separate/seattle val_loss', 'separate/seattle loss/seattle', 'separate/seattle val_loss/seattle', 'separate/seattle val_accuracy/seattle'],
  );
  // A multi-head model: one loss per head.
  assert.deepEqual(
    metrics({
      arm: 'multihead',
      model: 'multihead',
      epoch: 1,
      trainLoss: 1,
      valLoss: 1.1,
      heads: { seattle: { trainLoss: 0.4, valLoss: 0.5, weight: 1 }, 'new-york': { trainLoss: 0.6, valLoss: 0.6, weight: 1 } },
      sources: {},
    }),
    ['multihead loss', 'multihead val_loss', 'multihead loss/seattle', 'multihead val_loss/seattle', 'multihead loss/new-york', 'multihead val_loss/new-york'],
  );
  // The merged model's one head ("merged") spans every dataset: no per-dataset loss.
  assert.deepEqual(
    metrics({ arm: 'merged', model: 'merged', epoch: 1, trainLoss: 1, valLoss: 1.1, heads: { merged: { trainLoss: 1, valLoss: 1.1, weight: 1 } }, sources: { seattle: { metric: 'accuracy', value: 0.8 } } }),
    ['merged loss', 'merged val_loss', 'merged val_accuracy/seattle'],
  );
});
