// The state of a run folder when its processes are killed: real CLI and trainer processes,
// killed with SIGKILL / SIGTERM, then `report` and `predict` on what they left.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { readRunStatus } from '../../../../src/protocol/runFolder/read';
import { fixtures, repoRoot, runCli } from '../../helpers';

const cliPath = join(repoRoot, 'dist', 'cli.js');

/** A workspace whose run trains dataset `small` quickly, then `big` for a long time. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dl-kill-'));
  mkdirSync(join(dir, 'data'));
  copyFileSync(fixtures('training', 'two-class-a.csv'), join(dir, 'data', 'small.csv'));
  let s = 7;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const lines = ['x1,x2,kind,price,label'];
  for (let i = 0; i < 4000; i++) {
    const a = r() * 4 - 2;
    const b = r() * 4 - 2;
    lines.push(`${a},${b},${r() < 0.5 ? 'u' : 'v'},${a + b},${a * b > 0 ? 'yes' : 'no'}`);
  }
  writeFileSync(join(dir, 'data', 'big.csv'), lines.join('\n') + '\n');
  writeFileSync(
    join(dir, 'x.experiment.json'),
    JSON.stringify({
      version: 1,
      datasets: [
        { name: 'small', path: 'data/small.csv', label: 'label' },
        { name: 'big', path: 'data/big.csv', label: 'label' },
      ],
      arms: ['separate'],
      model: { type: 'mlp', hidden: [64, 64] },
      training: { epochs: 400, batchSize: 8, earlyStopping: { patience: 400 } },
    }),
  );
  return dir;
}

/** Starts `dataset-lab run` as a real process (its own process group) and resolves when `big` has trained `epochs` epochs. */
function startRun(t: TestContext, dir: string, epochs = 2): { cli: ChildProcess; ready: Promise<string>; exited: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const cli = spawn(process.execPath, [cliPath, 'run', 'x.experiment.json'], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // Whatever the test did, nothing it started keeps training.
  t.after(() => {
    try {
      process.kill(-(cli.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  });
  let stderr = '';
  cli.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => cli.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  const ready = new Promise<string>((resolve, reject) => {
    const runs = join(dir, '.dataset-lab', 'runs');
    const poll = setInterval(() => {
      if (cli.exitCode !== null) {
        clearInterval(poll);
        reject(new Error(`the run ended early: ${stderr}`));
        return;
      }
      const runDir = existsSync(runs) ? readdirSync(runs).map((r) => join(runs, r))[0] : undefined;
      const history = runDir && existsSync(join(runDir, 'history.jsonl')) ? readFileSync(join(runDir, 'history.jsonl'), 'utf8') : '';
      if (runDir && history.split('\n').filter((l) => l.includes('"separate/big"')).length >= epochs) {
        clearInterval(poll);
        resolve(runDir);
      }
    }, 50);
  });
  return { cli, ready, exited };
}

const statusOf = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8'));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('while a run trains, status.json names the training process and its heartbeat moves', async (t) => {
  const dir = workspace();
  const { cli, ready, exited } = startRun(t, dir, 1);
  const runDir = await ready;
  const first = statusOf(runDir);
  assert.equal(first.status, 'running');
  assert.equal(first.host, hostname());
  assert.ok(Number.isInteger(first.pid) && first.pid !== cli.pid && alive(first.pid), JSON.stringify(first));
  await until('a newer heartbeat', () => statusOf(runDir).heartbeatAt > first.heartbeatAt, 10_000);
  assert.equal(readRunStatus(runDir).state, 'running');
  process.kill(-(cli.pid as number), 'SIGKILL');
  await exited;
});

test('SIGKILL to the CLI: the trainer notices, marks the run interrupted and exits; report labels it, predict refuses it unless --allow-incomplete', async (t) => {
  const dir = workspace();
  const { cli, ready, exited } = startRun(t, dir);
  const runDir = await ready;
  const trainerPid = statusOf(runDir).pid as number;
  cli.kill('SIGKILL');
  await exited;
  await until('the trainer to exit', () => !alive(trainerPid));
  const status = statusOf(runDir);
  assert.equal(status.status, 'interrupted', JSON.stringify(status));
  assert.match(status.reason, /the process that started the run went away/);
  assert.ok(status.epochsDone >= 2);

  const report = runCli(['report', runDir, '-o', join(dir, 'report.html')], dir);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stderr, /interrupted/);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  const snapshot = JSON.parse(html.match(/<script type="application\/json" id="dataset-lab-data">(.*?)<\/script>/s)?.[1] ?? 'null');
  assert.equal(snapshot.view, 'training');
  assert.equal(snapshot.training.status.state, 'interrupted');
  assert.match(snapshot.training.status.error, /went away/);
  assert.ok(snapshot.training.points.length > 0);

  const refused = runCli(['predict', runDir, 'data/small.csv'], dir);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /the run was interrupted after \d+ epochs: the process that started the run went away; .*--allow-incomplete/);
  // The first dataset's model was saved before the kill: it can be used on purpose.
  const allowed = runCli(['predict', runDir, 'data/small.csv', '--allow-incomplete', '--arm', 'separate', '--dataset', 'small'], dir);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /^row,prediction,probability\n1,(yes|no),/);
});

test('SIGKILL to CLI and trainer together: the dead process id shows the run as interrupted', async (t) => {
  const dir = workspace();
  const { cli, ready, exited } = startRun(t, dir);
  const runDir = await ready;
  const trainerPid = statusOf(runDir).pid as number;
  process.kill(-(cli.pid as number), 'SIGKILL');
  await exited;
  await until('the trainer to die', () => !alive(trainerPid));
  assert.equal(statusOf(runDir).status, 'running', 'nobody was left to record the end');
  const s = readRunStatus(runDir);
  assert.equal(s.state, 'interrupted');
  assert.match(s.reason ?? '', new RegExp(`the training process \\(pid ${trainerPid}\\) is gone`));
  const report = runCli(['report', runDir], dir);
  assert.equal(report.code, 0, report.stderr);
  assert.ok(existsSync(join(runDir, 'report.html')));
});

test('SIGTERM to the CLI cancels the run cleanly: status cancelled, epochs kept, exit 1 with one line', async (t) => {
  const dir = workspace();
  const { cli, ready, exited } = startRun(t, dir);
  const runDir = await ready;
  cli.kill('SIGTERM');
  const out = await exited;
  assert.equal(out.code, 1, out.stderr);
  assert.match(out.stderr, /^dataset-lab: run cancelled after \d+ epochs; finished epochs are kept in /m);
  assert.equal(statusOf(runDir).status, 'cancelled');
  assert.equal(readRunStatus(runDir).state, 'cancelled');
});

test('a running status with a live process id but a stale heartbeat, or from another machine, is judged by the heartbeat', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-status-'));
  const old = new Date(Date.now() - 5 * 60_000).toISOString();
  const fresh = new Date().toISOString();
  const write = (s: object) => writeFileSync(join(dir, 'status.json'), JSON.stringify(s));
  // This test process is alive, but its pid may have been reused: five minutes without a heartbeat is a dead run.
  write({ status: 'running', pid: process.pid, host: hostname(), heartbeatAt: old, epochsDone: 3 });
  assert.deepEqual(readRunStatus(dir), { state: 'interrupted', reason: `no heartbeat since ${old}`, epochsDone: 3 });
  write({ status: 'running', pid: 999_999_999, host: 'another-machine', heartbeatAt: fresh });
  assert.equal(readRunStatus(dir).state, 'running');
  write({ status: 'running', pid: 999_999_999, host: 'another-machine', heartbeatAt: old });
  assert.equal(readRunStatus(dir).state, 'interrupted');
});
