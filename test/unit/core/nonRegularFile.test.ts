// Inputs that are not regular files: a FIFO named x.csv used to block forever (opening a FIFO
// for reading waits for a writer). Each is refused at once with a one-line error naming the
// file, through the API and the real CLI (a child process).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, copyFileSync, mkdirSync, openSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readCsvFile } from '../../../src/core/ingest';
import { FatalInputError } from '../../../src/core/table';
import { examples, repoRoot, tempDir } from '../helpers';

const dir = tempDir('dataset-lab-fifo-');
const fifo = join(dir.path, 'x.csv');
const socketPath = join(dir.path, 'socket.csv');
let socketServer: Server;

before(async () => {
  execFileSync('mkfifo', [fifo]);
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(socketPath, resolve));
});

after(async () => {
  // A reader still waiting in open() (the bug) would keep this process alive: give it a writer.
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // No reader waiting (ENXIO): nothing to release.
  }
  await new Promise((resolve) => socketServer.close(resolve));
  dir.cleanup();
});

async function refusal(path: string): Promise<FatalInputError> {
  try {
    await readCsvFile(path);
  } catch (err) {
    assert.ok(err instanceof FatalInputError, `expected FatalInputError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${path} should not be read`);
}

test('readCsvFile refuses a FIFO, a character device, a socket and a directory without blocking', { timeout: 20_000 }, async () => {
  const cases: [string, string][] = [
    [fifo, 'a FIFO'],
    ['/dev/null', 'a character device'],
    [socketPath, 'a socket'],
    [dir.path, 'a directory'],
  ];
  for (const [path, kind] of cases) {
    const err = await refusal(path);
    assert.equal(err.code, 'not-regular-file', path);
    assert.equal(err.message, `${path}: not a regular file (${kind}); expected a CSV file`);
    assert.equal(err.file, path);
  }
});

/**
 * The built CLI as a user runs it. One that blocks is killed after 30 s with everything it
 * started (its process group: the training child too) and reports code null.
 */
function cli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd: dir.path, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? null : code, stdout, stderr });
    });
  });
}

test('the CLI prints one line naming the FIFO and exits with 2 (profile, compare)', { timeout: 90_000 }, async () => {
  const seattle = examples('weather', 'seattle.csv');
  for (const args of [['profile', 'x.csv'], ['compare', seattle, 'x.csv']]) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}; stderr: ${r.stderr}`);
    assert.equal(r.stderr, 'dataset-lab: x.csv: not a regular file (a FIFO); expected a CSV file\n');
    assert.equal(r.stdout, '');
  }
});

test('a training run whose dataset is a FIFO fails with that message instead of waiting', { timeout: 120_000 }, async () => {
  const work = join(dir.path, 'run');
  mkdirSync(work);
  copyFileSync(examples('weather', 'seattle.csv'), join(work, 'seattle.csv'));
  copyFileSync(examples('weather', 'new-york.csv'), join(work, 'new-york.csv'));
  const init = await cli(['init', 'merge', join(work, 'seattle.csv'), join(work, 'new-york.csv'), '--label', 'weather', '-o', join(work, 'weather.experiment.json')]);
  assert.equal(init.code, 0, init.stderr);
  // The experiment was made from real files; now one of them is a FIFO.
  execFileSync('rm', [join(work, 'new-york.csv')]);
  execFileSync('mkfifo', [join(work, 'new-york.csv')]);
  const run = await cli(['run', join(work, 'weather.experiment.json'), '--arms', 'merged']);
  assert.notEqual(run.code, null, `the run blocked; stderr: ${run.stderr}`);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /new-york\.csv: not a regular file \(a FIFO\); expected a CSV file/);
});
