// A past run's Training status line (Open Run..., `report`) ends as the live one did: the model,
// epoch and throughput of history.jsonl's last whole line, and what its models count to from
// experiment.json. The e2e reads the rendered line back against the run folder.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastHistoryLine, trainingStatusLinePaths } from '../../../src/protocol/dashboard';
import { lastEpochStatus, trainingStatusOf } from '../../../src/protocol/runFolder/read';

const row = (model: string, epoch: number, samplesPerSecond: number) => JSON.stringify({ arm: model, model, epoch, trainLoss: 1, valLoss: 1, heads: {}, sources: {}, seconds: 0.1, samplesPerSecond });

test("the last whole line of history.jsonl; a crashed run's partial line is skipped", () => {
  const text = [row('separate/a', 1, 100), row('multihead', 7, 2345.5)].join('\n') + '\n';
  assert.deepEqual([lastHistoryLine(text)?.model, lastHistoryLine(text)?.epoch], ['multihead', 7]);
  assert.equal(lastHistoryLine(`${text}{"arm":"multihead","epo`)?.epoch, 7);
  assert.equal(lastHistoryLine(''), undefined);
});

test('the status line of a past run: its last epoch record, with the count of epochs (iterations for gbm, none for closed-form)', () => {
  const last = lastHistoryLine(row('multihead', 15, 12345.6));
  assert.deepEqual(lastEpochStatus(last, { model: { type: 'mlp' }, training: { epochs: 15 } }), { modelType: 'mlp', arm: 'multihead', epoch: 15, samplesPerSecond: 12345.6, recorded: true, epochs: 15 });
  assert.equal(lastEpochStatus(last, { model: { type: 'gbm', trees: { iterations: 80 } }, training: { epochs: 15 } }).epochs, 80);
  assert.equal(lastEpochStatus(last, { model: { type: 'linear' }, training: { epochs: 15 } }).epochs, undefined);
  assert.deepEqual(lastEpochStatus(undefined, { model: { type: 'mlp' } }), { modelType: 'mlp' }, 'no history: nothing recorded to show');
  const s = trainingStatusOf('r1', 'r1', { state: 'completed' }, ['multihead'], { lastEpoch: last, settings: { model: { type: 'mlp' }, training: { epochs: 20 } } });
  assert.deepEqual([s.state, s.arm, s.epoch, s.epochs, s.recorded], ['completed', 'multihead', 15, 20, true]);
  assert.deepEqual(trainingStatusLinePaths('gbm').epochs, ['experiment', 'model', 'trees', 'iterations']);
  assert.deepEqual(trainingStatusLinePaths(undefined), { epoch: ['history', 'epoch'], samplesPerSecond: ['history', 'samplesPerSecond'], epochs: ['experiment', 'training', 'epochs'] });
});
