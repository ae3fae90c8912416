/** Shared helpers for unit tests: repository paths, temp folders, and running the built CLI. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { mulberry32 } from '../../src/core/random';

/** The repository root, found from the bundled test's location (out/test/unit/...). */
export const repoRoot: string = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
})();

export const examples = (...parts: string[]): string => join(repoRoot, 'examples', ...parts);
export const fixtures = (...parts: string[]): string => join(repoRoot, 'test', 'fixtures', ...parts);

/** A fresh temp folder removed when `cleanup` runs (call it in `after`). */
export function tempDir(prefix = 'dataset-lab-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the built CLI (dist/cli.js) as a user would. */
export function runCli(args: readonly string[], cwd = repoRoot): CliResult {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** In-process CLI streams for calling a command's run() directly; `out()` / `err()` read what it wrote. */
export function captureIo(cwd: string): { io: { stdout: PassThrough; stderr: PassThrough; cwd: string }; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  return { io: { stdout, stderr, cwd }, out: () => out, err: () => err };
}

/** Deterministic PRNG for shuffles in tests. */
export const seededRandom = mulberry32;
