// Exit codes and flags through the entry users run: dist/cli.js as a child process (bin.ts ->
// main()), and signals sent to it as a terminal sends them. 0: done; 1: the work failed
// (cancelled, diverged, an internal error); 2: bad input or usage.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import { commands, reportError } from '../../../src/cli/main';
import { captureIo, examples, fixtures, repoRoot, runCli, tempDir } from '../helpers';

const seattle = examples('weather', 'seattle.csv');
const newYork = examples('weather', 'new-york.csv');
const tmp = tempDir('dataset-lab-exit-');
after(tmp.cleanup);
const file = (name: string, text: string) => {
  const p = join(tmp.path, name);
  writeFileSync(p, text);
  return p;
};
const json = (args: string[]) => {
  const r = runCli([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};
const oneLine = (stderr: string) => assert.equal(stderr.trimEnd().split('\n').length, 1, `one line: ${stderr}`);

describe('commands and help', () => {
  const usage = /^Usage: dataset-lab <command> \[options\]\n\nCommands:\n/;

  test('no command: the usage on stdout and exit 2; --help, -h and help: the usage and exit 0', () => {
    const none = runCli([]);
    assert.equal(none.code, 2);
    assert.match(none.stdout, usage);
    for (const help of ['--help', '-h', 'help']) {
      const r = runCli([help]);
      assert.equal(r.code, 0, help);
      assert.equal(r.stdout, none.stdout, help);
      assert.equal(r.stderr, '');
    }
    // Every command is listed with its summary.
    for (const c of commands) assert.ok(none.stdout.includes(`  ${c.name.padEnd(10)} ${c.summary}\n`), c.name);
  });

  test('an unknown command: exit 2, its name (escaped) and the usage on stderr, nothing on stdout', () => {
    const r = runCli(['comapre', seattle, newYork]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^dataset-lab: unknown command "comapre"\n\nUsage: dataset-lab <command>/);
    const escaped = runCli(['x\u001b[2Jy']);
    assert.equal(escaped.code, 2);
    assert.match(escaped.stderr, /^dataset-lab: unknown command "x\\x1b\[2Jy"\n/);
  });

  for (const c of commands) {
    test(`${c.name} --help: its usage and every option, exit 0, whatever else is on the line`, () => {
      for (const args of [[c.name, '--help'], [c.name, '-h'], [c.name, 'no-such-file.csv', '--bogus', '--help']]) {
        const r = runCli(args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, '');
        assert.ok(r.stdout.startsWith(`Usage: dataset-lab ${c.usage}\n\n${c.summary}\n\nOptions:\n`), r.stdout);
        for (const o of c.options) assert.match(r.stdout, new RegExp(`^  ${o.alias ? `-${o.alias}, ` : ''}--${o.name}${o.kind === 'string' ? ' VALUE' : ''} +${o.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), `${c.name} --${o.name}`);
      }
    });
  }

  test("--version prints package.json's version", () => {
    const r = runCli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version}\n`);
  });
});

describe('usage errors: exit 2 and one line naming the mistake', () => {
  const cases: [string[], RegExp][] = [
    [['compare', seattle, newYork, '--bogus'], /^dataset-lab: unknown option --bogus$/],
    [['compare', seattle, newYork, '-z'], /^dataset-lab: unknown option -z$/],
    [['compare', seattle, newYork, '--label'], /^dataset-lab: --label needs a value$/],
    [['compare', seattle, newYork, '--json=yes'], /^dataset-lab: --json takes no value$/],
    [['compare', seattle, newYork, '--p-value', 'small'], /^dataset-lab: --p-value must be a number, got "small"$/],
    [['compare', seattle, newYork, '--wasserstein-threshold=Infinity'], /^dataset-lab: --wasserstein-threshold must be a number, got "Infinity"$/],
    [['compare', seattle, newYork, '--js-threshold', ''], /^dataset-lab: --js-threshold must be a number, got ""$/],
    [['compare', seattle, newYork, '--small-sample-rows', '1e'], /^dataset-lab: --small-sample-rows must be a number, got "1e"$/],
    [['compare', seattle, newYork, '--seed', 'forty-two'], /^dataset-lab: --seed must be a number, got "forty-two"$/],
    [['compare', seattle, newYork, '--delimiter', ';;'], /^dataset-lab: --delimiter must be one character, got ";;"$/],
    [['compare', seattle, newYork, '--label', 'weather', '--labels', 'weather,weather'], /^dataset-lab: use either --label or --labels, not both$/],
    [['compare', seattle, newYork, '--labels', 'weather'], /^dataset-lab: --labels names 1 column\(s\) for 2 file\(s\)$/],
    [['compare', seattle, newYork, '--reference', '3'], /^dataset-lab: --reference "3" is neither a file index nor a dataset name$/],
    [['compare', seattle], /^dataset-lab: compare needs at least two CSV files$/],
    [['profile', seattle, '--delimiter', 'tabs'], /^dataset-lab: --delimiter must be one character, got "tabs"$/],
  ];
  for (const [args, expected] of cases) {
    test(args.map((a) => (a.includes('/') ? basename(a) : a)).join(' '), () => {
      const r = runCli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      oneLine(r.stderr);
      assert.match(r.stderr.trimEnd(), expected);
    });
  }
});

describe('compare flags change what is computed', () => {
  const drifted = (doc: { comparisons: { features: { name: string; drift: boolean; method: string }[] }[] }) =>
    doc.comparisons[0].features.filter((f) => f.drift).map((f) => `${f.name}:${f.method}`);

  test('--wasserstein-threshold: the effect size numeric features must reach', () => {
    const base = json(['compare', seattle, newYork, '--label', 'weather', '--no-domain-classifier']);
    assert.deepEqual(drifted(base), ['precipitation:wasserstein', 'temp_max:wasserstein', 'temp_min:wasserstein', 'wind:wasserstein']);
    // Normalised Wasserstein: precipitation 0.12, temp_max 0.35, temp_min 0.77, wind 1.20.
    const half = json(['compare', seattle, newYork, '--label', 'weather', '--no-domain-classifier', '--wasserstein-threshold', '0.5']);
    assert.deepEqual(drifted(half), ['temp_min:wasserstein', 'wind:wasserstein']);
    assert.equal(half.thresholds.wassersteinNorm, 0.5);
    // None drifted and no classifier: the pair looks alike, with no caution.
    const none = json(['compare', seattle, newYork, '--label', 'weather', '--no-domain-classifier', '--wasserstein-threshold=10']);
    assert.deepEqual(drifted(none), []);
    assert.deepEqual([none.recommendation.strategy, none.recommendation.cautions], ['merge', []]);
    assert.deepEqual(base.recommendation.cautions.length, 1);
  });

  test('--small-sample-rows and --p-value: up to that many reference rows, the p-value decides', () => {
    // 1,461 reference rows: above the default 1,000, so the effect size decides unless the limit is raised.
    const ks = json(['compare', seattle, newYork, '--label', 'weather', '--no-domain-classifier', '--small-sample-rows', '5000']);
    assert.deepEqual(drifted(ks), ['precipitation:ks', 'temp_max:ks', 'temp_min:ks', 'wind:ks']);
    // KS p-values: precipitation 2.2e-7, temp_max 1.6e-10, temp_min 1.1e-42, wind 3.6e-117.
    const strict = json(['compare', seattle, newYork, '--label', 'weather', '--no-domain-classifier', '--small-sample-rows', '5000', '--p-value', '1e-8']);
    assert.deepEqual(drifted(strict), ['temp_max:ks', 'temp_min:ks', 'wind:ks']);
    assert.deepEqual([strict.thresholds.smallSampleRows, strict.thresholds.pValue], [5000, 1e-8]);
  });

  test('--js-threshold: the distance categorical features must reach', () => {
    // 200 rows each; "colour" is 50/50 red/blue in A and 70/30 in B (JS distance about 0.14).
    const rows = (red: number) => ['colour,n', ...Array.from({ length: 200 }, (_, i) => `${i < red ? 'red' : 'blue'},${i % 7}`)].join('\n') + '\n';
    const a = file('colour-a.csv', rows(100));
    const b = file('colour-b.csv', rows(140));
    const args = ['compare', a, b, '--no-domain-classifier', '--small-sample-rows', '0'];
    const base = json(args);
    const colour = base.comparisons[0].features.find((f: { name: string }) => f.name === 'colour');
    assert.equal(colour.method, 'jensenshannon');
    assert.ok(colour.jensenShannon > 0.1 && colour.jensenShannon < 0.2, String(colour.jensenShannon));
    assert.deepEqual(drifted(base), ['colour:jensenshannon']);
    assert.deepEqual(drifted(json([...args, '--js-threshold', '0.2'])), []);
  });

  test('--seed: the same seed gives the same domain classifier, another seed other folds', () => {
    const auc = (seed?: string) => json(['compare', seattle, newYork, '--label', 'weather', ...(seed ? ['--seed', seed] : [])]).comparisons[0].domainClassifier.auc as number;
    const fortyTwo = auc();
    assert.equal(auc('42'), fortyTwo, 'the default is 42');
    assert.equal(auc('7'), auc('7'));
    assert.notEqual(auc('7'), fortyTwo);
  });

  test('--no-domain-classifier: no classifier in the report', () => {
    const doc = json(['compare', seattle, newYork, '--label', 'weather', '--no-domain-classifier']);
    assert.equal(doc.comparisons[0].domainClassifier, undefined);
  });

  test('--delimiter overrides the sniffed one ("tab" and "\\t" for a tab)', () => {
    const f = file('comma-tab.txt', 'a,b\tc\n1,2\t3\n4,5\t6\n7,8\t9\n');
    const names = (args: string[]) => json(['profile', f, ...args]).columns.map((c: { name: string }) => c.name);
    assert.deepEqual(names([]), ['a', 'b\tc'], 'sniffed: the comma');
    assert.deepEqual(names(['--delimiter', 'tab']), ['a,b', 'c']);
    assert.deepEqual(names(['--delimiter', '\\t']), ['a,b', 'c']);
    const semi = file('semi.csv', 'name;score\na,b;1\nc,d;2\ne,f;3\n');
    const sniffed = json(['profile', semi]);
    assert.deepEqual(sniffed.columns.map((c: { name: string }) => c.name), ['name', 'score']);
    // Forced to the comma, every data row has one field too many: reported, left out, exit 0.
    const forced = runCli(['profile', semi, '--delimiter', ',', '--json']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(forced.stdout).rows, 0);
    assert.match(forced.stderr, /semi\.csv:2:1: expected 1 fields, found 2/);
  });

  test('--missing replaces the missing-value tokens', () => {
    const f = file('dash.csv', 'x,y\n1,a\n-,b\n3,c\n4,-\n5,e\n');
    const col = (args: string[], name: string) => json(['profile', f, ...args]).columns.find((c: { name: string }) => c.name === name);
    assert.equal(col([], 'x').missing, 0, '"-" is a value by default');
    assert.deepEqual([col(['--missing', '-'], 'x').type, col(['--missing', '-'], 'x').missing, col(['--missing', '-'], 'y').missing], ['numeric', 1, 1]);
    // The list replaces the defaults: "NA" is a value once it is not listed.
    const na = file('na.csv', 'x\n1\nNA\n3\n');
    assert.equal(json(['profile', na]).columns[0].missing, 1);
    assert.equal(json(['profile', na, '--missing', '-']).columns[0].missing, 0);
  });
});

describe('run: exit 1 when the work fails', () => {
  /** A workspace with one dataset, `rows` of two-class data, and an experiment on it. */
  function workspace(name: string, experiment: object, rows = 4000, dataset: object = { label: 'label' }): string {
    const dir = join(tmp.path, name);
    mkdirSync(join(dir, 'data'), { recursive: true });
    let s = 7;
    const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
    const lines = ['x1,x2,x3,x4,label'];
    for (let i = 0; i < rows; i++) {
      const a = r() * 4 - 2;
      const b = r() * 4 - 2;
      lines.push(`${a},${b},${r()},${r()},${a * b > 0 ? 'p' : 'q'}`);
    }
    writeFileSync(join(dir, 'data', 'big.csv'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'x.experiment.json'), JSON.stringify({ version: 1, datasets: [{ name: 'big', path: 'data/big.csv', ...dataset }], arms: ['separate'], ...experiment }));
    return dir;
  }
  const runDirOf = (dir: string) => {
    const runs = join(dir, '.dataset-lab', 'runs');
    return existsSync(runs) ? readdirSync(runs).map((r) => join(runs, r))[0] : undefined;
  };
  const status = (dir: string) => JSON.parse(readFileSync(join(runDirOf(dir)!, 'status.json'), 'utf8'));

  /** `dataset-lab run` in its own process group, like a shell's foreground job. */
  function start(t: TestContext, dir: string) {
    const cli = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'run', 'x.experiment.json'], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => {
      try {
        process.kill(-(cli.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    });
    let stderr = '';
    let stdout = '';
    cli.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    cli.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    const exited = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => cli.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
    return { cli, exited };
  }

  test('Ctrl-C (SIGINT to the whole foreground group: the CLI and its trainer): cancelled, finished epochs kept, exit 1', async (t) => {
    const dir = workspace('sigint', { model: { type: 'mlp', hidden: [64, 64] }, training: { epochs: 400, batchSize: 8, earlyStopping: { patience: 400 } } });
    const { cli, exited } = start(t, dir);
    // Once two epochs are in history.jsonl, press Ctrl-C.
    for (;;) {
      const runDir = runDirOf(dir);
      const history = runDir && existsSync(join(runDir, 'history.jsonl')) ? readFileSync(join(runDir, 'history.jsonl'), 'utf8').trim().split('\n') : [];
      if (history.length >= 2) break;
      assert.equal(cli.exitCode, null, 'the run ended before it could be interrupted');
      await new Promise((r) => setTimeout(r, 20));
    }
    process.kill(-(cli.pid as number), 'SIGINT');
    const out = await exited;
    assert.deepEqual([out.code, out.signal], [1, null], out.stderr);
    assert.match(out.stderr, /^dataset-lab: run cancelled after (\d+) epochs; finished epochs are kept in .*\.dataset-lab\/runs\/[^/\n]+\n$/);
    const epochs = Number(/after (\d+) epochs/.exec(out.stderr)![1]);
    assert.ok(epochs >= 2 && epochs < 400, out.stderr);
    assert.equal(out.stdout, '');
    assert.deepEqual([status(dir).status, status(dir).epochsDone], ['cancelled', epochs]);
    assert.equal(readFileSync(join(runDirOf(dir)!, 'history.jsonl'), 'utf8').trim().split('\n').length, epochs);
  });

  test('a diverged training: "training diverged" with the epoch, exit 1, status diverged', () => {
    const dir = workspace('diverged', { preprocessing: { scaling: 'none' }, model: { type: 'mlp', hidden: [16], l2: 0 }, training: { epochs: 20, optimizer: 'sgd', learningRate: 1e9, batchSize: 8 } }, 300, {
      label: 'x1',
      task: 'regression',
      exclude: ['label'],
    });
    const r = runCli(['run', 'x.experiment.json'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    oneLine(r.stderr);
    assert.match(r.stderr, /^dataset-lab: training diverged: (.+: )?separate\/big: the loss became NaN\/infinite at epoch 1, batch \d+; lower training\.learningRate/);
    assert.equal(status(dir).status, 'diverged');
  });

  test('an internal error in the trainer: one line asking for a report, exit 1; --debug adds the stack', () => {
    // 30,000 rows: enough for the gradient worker threads, one of which is made to fail.
    const dir = workspace('internal', { model: { type: 'mlp', hidden: [32, 32] }, training: { epochs: 100, batchSize: 256, earlyStopping: { patience: 100 } } }, 30_000);
    const env = { DATASET_LAB_THREADS: '2', DATASET_LAB_WORKER_FAULT: 'throw@1' };
    const withEnv = (args: string[]) => {
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        return runCli(args, dir);
      } finally {
        for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
      }
    };
    const r = withEnv(['run', 'x.experiment.json']);
    assert.equal(r.code, 1, r.stderr);
    oneLine(r.stderr);
    assert.match(r.stderr, /^dataset-lab: internal error in the trainer \(please report it\): TrainingWorkerError: training worker thread 1 failed: injected fault at step \d+ \(DATASET_LAB_WORKER_FAULT\) \(the stack trace is in .*error\.log\)\n$/);
    assert.equal(status(dir).status, 'failed');
    const debug = withEnv(['run', 'x.experiment.json', '--debug']);
    assert.equal(debug.code, 1, debug.stderr);
    assert.match(debug.stderr, /^dataset-lab: internal error in the trainer \(please report it\): TrainingWorkerError: [^\n]+\nTrainingWorkerError: [^\n]+\n\s+at /);
  });

  test('a bad experiment: exit 2 before any process starts', () => {
    const dir = workspace('bad', { training: { epochs: 0 } }, 10);
    const r = runCli(['run', 'x.experiment.json'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /x\.experiment\.json at \$\.training\.epochs: /);
    assert.equal(runDirOf(dir), undefined);
  });
});

test("an internal error of the CLI itself (main's reportError): one line with the error and a request to report it, exit 1; the stack only with --debug", () => {
  const err = new TypeError('cannot read "x"\nsecond line');
  const plain = captureIo(tmp.path);
  const saved = process.env.DATASET_LAB_DEBUG;
  delete process.env.DATASET_LAB_DEBUG;
  try {
    assert.equal(reportError(err, plain.io), 1);
    assert.equal(plain.err(), 'dataset-lab: internal error (please report it): TypeError: cannot read "x" (run with --debug for the stack trace)\n');
    process.env.DATASET_LAB_DEBUG = '1';
    const debug = captureIo(tmp.path);
    assert.equal(reportError(err, debug.io), 1);
    assert.match(debug.err(), /^dataset-lab: internal error \(please report it\): TypeError: cannot read "x"\nTypeError: cannot read "x"\nsecond line\n\s+at /);
  } finally {
    if (saved === undefined) delete process.env.DATASET_LAB_DEBUG;
    else process.env.DATASET_LAB_DEBUG = saved;
  }
  // Input that cannot be read is not an internal error: exit 2 (fixtures through the real entry).
  const missing = runCli(['profile', fixtures('cli', 'does-not-exist.csv')]);
  assert.equal(missing.code, 2);
  assert.doesNotMatch(missing.stderr, /internal error/);
});

test('--debug anywhere on the line is taken out before the command reads its arguments', () => {
  const r = runCli(['--debug', 'profile', '--debug', seattle, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).rows, 1461);
});
