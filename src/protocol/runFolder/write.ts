/**
 * Writing run folders (`<root>/.dataset-lab/runs/<run-id>/`, files in ./contract.ts): the one
 * writer, used by the training process (and by the CLI for its own outputs).
 *
 * Every write under a run folder goes through writeFileAtomic or appendLine below: a file has
 * either its old content or all of its new content under its name, never part of it, also when
 * the disk fills up (a write may then store fewer bytes than asked without any error), and a
 * failed write says why in plain words (StorageError).
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { isStrictlyInside, realPath } from '../../core/paths';
import { HEARTBEAT_MS, RUN_FILES, RUNS_FOLDER, type EpochRecord, type StatusFile } from './contract';

/** What the file system errors a write can meet mean, for people. */
const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EIO: 'input/output error (a failing disk or a lost network drive)',
  EFBIG: 'file too large for this file system',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files on this system',
  ENOENT: 'the folder no longer exists',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'a folder is in the way',
  EEXIST: 'a file is in the way',
  EBUSY: 'the file is busy',
  ESTALE: 'stale network file handle',
  ESHORT: 'the file system stopped accepting data',
};

/** A file could not be written whole; `reason` is plain words (`disk full`), `code` the errno name. */
export class StorageError extends Error {
  readonly userFacing = true;
  readonly exitCode = 1;
  constructor(
    readonly path: string,
    readonly code: string,
    readonly reason: string,
  ) {
    super(`cannot write ${path}: ${reason} (${code})`);
    this.name = 'StorageError';
  }

  static from(path: string, e: unknown): StorageError {
    if (e instanceof StorageError) return e;
    const code = (e as NodeJS.ErrnoException | undefined)?.code ?? 'EUNKNOWN';
    return new StorageError(path, code, REASONS[code] ?? (e instanceof Error ? e.message.split('\n')[0] : String(e)));
  }
}

/** writeSync may store fewer bytes than asked (a full disk does that before it fails): go on until all are down. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) {
    const n = writeSync(fd, bytes, done, bytes.length - done);
    if (n <= 0) throw Object.assign(new Error('no bytes written'), { code: 'ESHORT' });
    done += n;
  }
}

/** Makes a rename in `dir` survive a crash. Where folders cannot be opened or synced (Windows, some network file systems) there is nothing to do. */
function fsyncFolder(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EPERM' && code !== 'EISDIR') throw e;
  } finally {
    closeSync(fd);
  }
}

let tempCounter = 0;

/**
 * Replaces `path` with `data`, all or nothing: a temp file beside it (created exclusively, so
 * never an existing file or a planted link), written until every byte is down, fsynced, renamed
 * over `path` (a link at `path` is replaced, not followed), then the folder fsynced. On failure
 * the temp file is removed, `path` keeps its old content, and a StorageError says why.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = `${path}.tmp-${process.pid}-${++tempCounter}`;
  let fd: number | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(tmp, 'wx');
    writeAll(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    fsyncFolder(dirname(path));
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the write error is the one to report
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw StorageError.from(path, e);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Appends `line` and a newline, all or nothing: when not every byte gets written, the file is
 * cut back to its previous length, so readers never meet half a line. Not fsynced per call
 * (history lines come every epoch); syncFile does that at checkpoints.
 */
export function appendLine(path: string, line: string): void {
  const bytes = Buffer.from(line + '\n', 'utf8');
  let fd: number | undefined;
  let size = -1;
  try {
    fd = openSync(path, 'a');
    size = fstatSync(fd).size;
    writeAll(fd, bytes);
  } catch (e) {
    if (fd !== undefined && size >= 0) {
      try {
        ftruncateSync(fd, size);
      } catch {
        // already failing; the write error is the one to report
      }
    }
    throw StorageError.from(path, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** fsyncs an existing file (appended history) so what it holds survives a crash. */
export function syncFile(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r+');
    fsyncSync(fd);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw StorageError.from(path, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * status.json of an existing run, written by a process other than its trainer (the parent that
 * saw the trainer die). The trainer itself writes through RunFolder.writeStatus.
 */
export function writeStatusFile(runDir: string, status: StatusFile): void {
  writeJsonAtomic(join(runDir, RUN_FILES.status), status);
}

/** Sortable, unique enough for one workspace: 20261128-174500-123-x7k2. */
export function newRunId(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}-${p(now.getUTCMilliseconds(), 3)}`;
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

export function runsFolder(root: string): string {
  return join(root, ...RUNS_FOLDER);
}

/** A running run's pulse in status.json; see RunFolder.startHeartbeat. */
export interface Heartbeat {
  /** Throws the StorageError of a beat that could not be written (the run then fails with it). */
  check(): void;
  /** No more beats: call before writing the run's final status. */
  stop(): void;
}

/** The run folder cannot be used (it would lie outside the workspace); a user-facing input error. */
export class RunFolderError extends Error {
  readonly userFacing = true;
  readonly exitCode = 2;
}

export class RunFolder {
  private constructor(
    readonly runId: string,
    readonly dir: string,
    /** `dir` with links resolved: every write must land inside it. */
    private readonly realDir: string,
  ) {}

  /**
   * Creates `<root>/.dataset-lab/runs/<runId>/`, refusing when a link (e.g. `.dataset-lab`
   * pointing elsewhere) would put it outside the workspace root; checked before anything is
   * created and again after, so nothing is written outside.
   */
  static create(root: string, runId = newRunId()): RunFolder {
    const runs = runsFolder(root);
    const dir = join(runs, runId);
    const check = () => {
      const real = realPath(dir);
      if (!isStrictlyInside(realPath(root), real)) {
        throw new RunFolderError(`the run folder ${runs} resolves to ${dirname(real)} through a symbolic link, outside the workspace root ${root}; runs are kept inside it`);
      }
      return real;
    };
    check();
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw StorageError.from(dir, e);
    }
    return new RunFolder(runId, dir, check());
  }

  /** The path of `rel` in this run, after checking that its folder really is inside the run. */
  file(rel: string): string {
    const path = join(this.dir, rel);
    const realParent = realPath(dirname(path));
    if (realParent !== this.realDir && !isStrictlyInside(this.realDir, realParent)) {
      throw new RunFolderError(`${path} resolves to ${realParent} through a symbolic link, outside the run folder ${this.dir}`);
    }
    return path;
  }

  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(this.file(name), value);
  }

  writeStatus(status: StatusFile): void {
    this.writeJson(RUN_FILES.status, status);
  }

  /**
   * status.json says `running`, with this process's id, its machine and a heartbeat rewritten
   * every HEARTBEAT_MS (the appended history is fsynced at the same time), so readers can tell a
   * live run from one whose process was killed. The first beat is written now (and throws
   * when it cannot be); a later failed beat is kept for `check` to raise.
   */
  startHeartbeat(startedAt: string, epochsDone: () => number, everyMs = HEARTBEAT_MS): Heartbeat {
    const beat = () =>
      this.writeStatus({ status: 'running', pid: process.pid, host: hostname(), startedAt, heartbeatAt: new Date().toISOString(), epochsDone: epochsDone() });
    beat();
    let failure: StorageError | undefined;
    const timer = setInterval(() => {
      try {
        beat();
        this.syncHistory();
      } catch (e) {
        failure ??= StorageError.from(join(this.dir, RUN_FILES.status), e);
        clearInterval(timer);
      }
    }, everyMs);
    // The beat never keeps the process alive on its own.
    timer.unref();
    return {
      check() {
        if (failure) throw failure;
      },
      stop() {
        clearInterval(timer);
      },
    };
  }

  /** One complete line per call; a killed process leaves every finished epoch intact. */
  appendHistory(record: EpochRecord): void {
    appendLine(this.file(RUN_FILES.history), JSON.stringify(record));
  }

  /** Makes the appended history durable (at checkpoints: it is not fsynced per epoch). */
  syncHistory(): void {
    syncFile(this.file(RUN_FILES.history));
  }

  /** Plain text (e.g. a stack trace for error.log), through the same all-or-nothing write. */
  writeText(name: string, text: string): void {
    writeFileAtomic(this.file(name), text);
  }
}
