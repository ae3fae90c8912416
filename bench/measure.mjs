// Helpers the ingest, parsers, stats, compare and server benches share so that every figure in
// bench/RESULTS.md is taken the same way (shared/notes/BENCHMARKS.md): whole processes measured
// by bench/measure.py (wall, CPU, peak RSS from wait4), Python peers started without this
// machine's OpenBLAS overrides, medians of alternated runs with every run kept, and a header
// naming the date, machine, load and versions.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..');
export const TMP = join(here, '.tmp');
export const PYTHON = '/usr/bin/python3';

/**
 * Prefix of every Python peer's command. This machine sets OPENBLAS_CORETYPE=Haswell and
 * OPENBLAS_L2_SIZE for old OpenBLAS bugs; they make a current OpenBLAS pick slower kernels than
 * the CPU supports, so the peer runs without them. Tests and CI keep them.
 */
export const PEER_ENV = ['env', '-u', 'OPENBLAS_CORETYPE', '-u', 'OPENBLAS_L2_SIZE'];
/** Added after PEER_ENV for the peer's one-thread runs (OpenMP and OpenBLAS pools). */
export const ONE_THREAD_ENV = ['OMP_NUM_THREADS=1', 'OPENBLAS_NUM_THREADS=1'];

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Every run, in the order taken, for the tables: "1.23, 1.19, ...". */
export const runsList = (xs, digits = 2) => xs.map((x) => x.toFixed(digits)).join(', ');

export const loadAverage = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

export function option(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}

/**
 * Runs argv as one whole process through bench/measure.py and returns its wall time (s), CPU time
 * (s, all threads), peak RSS (MB) and output. Throws with the child's stderr when it fails.
 */
export function measureProcess(argv, { tag = 'run', env } = {}) {
  mkdirSync(TMP, { recursive: true });
  const out = join(TMP, `${tag}.stdout`);
  const err = join(TMP, `${tag}.stderr`);
  const p = spawnSync(PYTHON, [join(here, 'measure.py'), out, err, '--', ...argv], { encoding: 'utf8', env: env ?? process.env });
  if (p.status !== 0) throw new Error(`measure.py failed (${p.status}): ${p.stderr}`);
  const m = JSON.parse(p.stdout.trim());
  const stderr = readFileSync(err, 'utf8');
  if (m.status !== 0) throw new Error(`${argv.join(' ')} exited with ${m.status}: ${stderr.slice(-2000)}`);
  return { wall: m.wall_s, cpu: m.user_s + m.sys_s, rssMB: m.maxrss_kb / 1024, stdout: readFileSync(out, 'utf8'), stderr };
}

/** `key=number` written by a bench entry on stderr (its in-process timing). */
export function reported(stderr, key) {
  const m = new RegExp(`${key}=([0-9.eE+-]+)`).exec(stderr);
  if (!m) throw new Error(`no ${key}= in: ${stderr.slice(-500)}`);
  return Number(m[1]);
}

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], cwd: ROOT }).trim();
  } catch {
    return undefined;
  }
}

/**
 * The Python peer's BLAS / OpenMP pools as threadpoolctl reports them after importing what the
 * benches use, with the peer's environment (and `extraEnv`, e.g. ONE_THREAD_ENV).
 */
export function pythonThreadpools(extraEnv = []) {
  const code =
    'import json, numpy, scipy.stats, pandas, sklearn.ensemble, threadpoolctl\n' +
    'print(json.dumps([{k: p.get(k) for k in ("internal_api", "version", "architecture", "threading_layer", "num_threads", "filepath")} for p in threadpoolctl.threadpool_info()]))';
  const out = execFileSync(PEER_ENV[0], [...PEER_ENV.slice(1), ...extraEnv, PYTHON, '-c', code], { encoding: 'utf8' });
  return JSON.parse(out);
}

export const describePools = (pools) =>
  pools.map((p) => `${p.internal_api}${p.version ? ' ' + p.version : ''}${p.architecture ? ' (' + p.architecture + ' kernel)' : ''}: ${p.num_threads} thread(s)`).join('; ');

/**
 * Date, machine, load, versions and source commit: printed at the top of every bench. The commit
 * comes from git, or from BENCH_COMMIT when the bench runs in an exported tree (`git archive`)
 * so that other work in the checkout cannot change what is measured.
 */
export function benchHeader({ python = false } = {}) {
  const commit = process.env.BENCH_COMMIT ?? tryRun('git', ['rev-parse', '--short', 'HEAD']) ?? 'unknown';
  const dirty = process.env.BENCH_COMMIT ? '' : tryRun('git', ['status', '--porcelain', '--', 'src']) ? ' (src has uncommitted changes)' : '';
  const cpus = os.cpus();
  const h = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: `${cpus.length} cores (${cpus[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}`,
    loadAverage: loadAverage(),
    node: process.version,
    commit: commit + dirty,
  };
  if (python) {
    h.python = tryRun(PYTHON, ['-c', 'import sys, numpy, scipy, pandas, sklearn; print(f"Python {sys.version.split()[0]}, numpy {numpy.__version__}, scipy {scipy.__version__}, pandas {pandas.__version__}, scikit-learn {sklearn.__version__}")']);
    h.peerThreadpools = describePools(pythonThreadpools());
  }
  return h;
}

export function printHeader(h) {
  for (const [k, v] of Object.entries(h)) console.log(`${k}: ${v}`);
}
