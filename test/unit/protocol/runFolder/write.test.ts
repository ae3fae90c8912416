// Run-folder writes on a real full file system: a small tmpfs mounted for the test (needs root;
// otherwise the tests say why they are skipped). The CLI runs are real: dist/trainer.js is forked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test, type TestContext } from 'node:test';
import { main } from '../../../../src/cli/main';
import { appendLine, StorageError, writeFileAtomic } from '../../../../src/protocol/runFolder/write';
import { captureIo, fixtures } from '../../helpers';

const notRoot = typeof process.getuid === 'function' && process.getuid() !== 0;
const skipUnlessRoot = notRoot && 'needs root: the test mounts a small tmpfs to fill a real file system (run the unit tests as root to include it)';

/** A fresh tmpfs of `bytes` (unmounted after the test), or undefined when mounting is refused. */
function smallDisk(t: TestContext, bytes: number): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'dl-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    t.skip(`cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim()}); a full disk cannot be made`);
    return undefined;
  }
  t.after(() => {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

const free = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

/** Takes all but `leave` bytes of the file system holding `dir`. */
function fill(dir: string, leave: number): void {
  const filler = join(dir, 'filler.bin');
  const size = Math.max(0, free(dir) - leave);
  writeFileSync(filler, Buffer.alloc(size, 1));
}

test('writeFileAtomic on a full disk: no file keeps a partial content under its name, the temp file is gone, the error says "disk full"', { skip: skipUnlessRoot }, (t) => {
  const disk = smallDisk(t, 256 * 1024);
  if (!disk) return;
  const target = join(disk, 'model.json');
  writeFileSync(target, '{"old": true}\n');
  assert.throws(
    () => writeFileAtomic(target, Buffer.alloc(400 * 1024, 65)),
    (e: unknown) => e instanceof StorageError && e.reason === 'disk full' && e.code === 'ENOSPC' && /cannot write .*model\.json: disk full/.test(e.message),
  );
  assert.equal(readFileSync(target, 'utf8'), '{"old": true}\n', 'the old content is kept whole');
  assert.deepEqual(readdirSync(disk).sort(), ['model.json']);
  const fresh = join(disk, 'split.json');
  assert.throws(() => writeFileAtomic(fresh, Buffer.alloc(400 * 1024, 65)), StorageError);
  assert.equal(existsSync(fresh), false, 'nothing under the final name');
  assert.deepEqual(readdirSync(disk).sort(), ['model.json']);
});

test('appendLine on a full disk adds the whole line or nothing', { skip: skipUnlessRoot }, (t) => {
  const disk = smallDisk(t, 64 * 1024);
  if (!disk) return;
  const history = join(disk, 'history.jsonl');
  appendLine(history, '{"epoch":1}');
  fill(disk, 0);
  const big = `{"epoch":2,"pad":"${'x'.repeat(64 * 1024)}"}`;
  assert.throws(() => appendLine(history, big), (e: unknown) => e instanceof StorageError && e.reason === 'disk full');
  assert.equal(readFileSync(history, 'utf8'), '{"epoch":1}\n');
});

test('a write to a read-only file system says so in plain words and leaves nothing behind', { skip: skipUnlessRoot }, (t) => {
  const disk = smallDisk(t, 64 * 1024);
  if (!disk) return;
  const remount = spawnSync('mount', ['-o', 'remount,ro', disk], { encoding: 'utf8' });
  if (remount.status !== 0) return t.skip(`cannot remount read-only (${remount.stderr.trim()})`);
  assert.throws(
    () => writeFileAtomic(join(disk, 'status.json'), '{}'),
    (e: unknown) => e instanceof StorageError && e.code === 'EROFS' && /cannot write .*status\.json: read-only file system \(EROFS\)/.test(e.message),
  );
  assert.throws(() => appendLine(join(disk, 'history.jsonl'), '{}'), (e: unknown) => e instanceof StorageError && e.reason === 'read-only file system');
  assert.deepEqual(readdirSync(disk), []);
});

function workspaceOn(disk: string): string {
  const dir = join(disk, 'ws');
  mkdirSync(join(dir, 'data'), { recursive: true });
  copyFileSync(fixtures('training', 'two-class-a.csv'), join(dir, 'data', 'a.csv'));
  copyFileSync(fixtures('training', 'two-class-b.csv'), join(dir, 'data', 'b.csv'));
  writeFileSync(
    join(dir, 'x.experiment.json'),
    JSON.stringify({
      version: 1,
      datasets: [
        { name: 'a', path: 'data/a.csv', label: 'label' },
        { name: 'b', path: 'data/b.csv', label: 'label' },
      ],
      model: { type: 'mlp', hidden: [96, 96] },
      training: { epochs: 4, batchSize: 32 },
    }),
  );
  return dir;
}

/** Every file of a run folder that has its final name is whole: JSON parses, weights match their manifest. */
function assertNoPartialFiles(runDir: string): void {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  for (const f of walk(runDir)) {
    const rel = relative(runDir, f);
    assert.doesNotMatch(rel, /\.tmp-/, `temp file left behind: ${rel}`);
    if (f.endsWith('.json')) assert.doesNotThrow(() => JSON.parse(readFileSync(f, 'utf8')), `${rel} is not valid JSON`);
    if (f.endsWith('.jsonl')) for (const line of readFileSync(f, 'utf8').split('\n').filter(Boolean)) JSON.parse(line);
    if (f.endsWith('weights.bin')) {
      const manifest = JSON.parse(readFileSync(join(f, '..', 'model.json'), 'utf8')) as { weightsManifest: { weights: { shape: number[] }[] }[] };
      const floats = manifest.weightsManifest.flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
      assert.equal(statSync(f).size, floats * 4, `${rel} is truncated`);
    }
  }
}

test('a run on a full disk fails with one clear line, is marked failed with the reason, leaves no partial file, and predict refuses it cleanly', { skip: skipUnlessRoot }, async (t) => {
  const disk = smallDisk(t, 4 * 1024 * 1024);
  if (!disk) return;
  const outcomes: string[] = [];
  let recorded = 0;
  // From no room at all to enough for most of a run: each amount stops a different write.
  for (const leave of [0, 4096, 12 * 1024, 40 * 1024, 80 * 1024, 120 * 1024, 200 * 1024, 1024 * 1024]) {
    rmSync(join(disk, 'ws'), { recursive: true, force: true });
    rmSync(join(disk, 'filler.bin'), { force: true });
    const ws = workspaceOn(disk);
    fill(disk, leave);
    const c = captureIo(ws);
    const code = await main(['run', 'x.experiment.json'], c.io);
    const err = c.err();
    const runs = join(ws, '.dataset-lab', 'runs');
    const runDir = existsSync(runs) ? readdirSync(runs).map((r) => join(runs, r))[0] : undefined;
    if (code === 0) {
      outcomes.push(`${leave}: completed`);
      if (runDir) assertNoPartialFiles(runDir);
      continue;
    }
    outcomes.push(`${leave}: ${err.trim()}`);
    assert.equal(code, 1, err);
    assert.match(err, /^dataset-lab: cannot save the run: cannot write .*: disk full \(ENOSPC\)/, `leave ${leave}`);
    assert.equal(err.trim().split('\n').length, 1, `one line, no stack trace: ${err}`);
    assert.doesNotMatch(err, /\n\s+at |internal error/);
    if (!runDir) continue;
    assertNoPartialFiles(runDir);
    const statusFile = join(runDir, 'status.json');
    if (existsSync(statusFile)) {
      const status = JSON.parse(readFileSync(statusFile, 'utf8'));
      if (status.status === 'failed') {
        assert.equal(status.reason, 'disk full');
        recorded++;
      }
    }
    // Room again: predict must refuse the failed run in plain words, not crash on it.
    rmSync(join(disk, 'filler.bin'), { force: true });
    const p = captureIo(ws);
    const pcode = await main(['predict', runDir, 'data/a.csv'], p.io);
    assert.equal(pcode, 2, p.err());
    assert.doesNotMatch(p.err(), /internal error|\n\s+at /);
  }
  t.diagnostic(outcomes.join('\n'));
  assert.ok(outcomes.some((o) => /disk full/.test(o)), `no amount of free space made the run fail:\n${outcomes.join('\n')}`);
  assert.ok(recorded > 0, `no failed run recorded its reason in status.json:\n${outcomes.join('\n')}`);
  assert.match(outcomes[outcomes.length - 1], /completed/, 'with room enough the same run completes');
});
