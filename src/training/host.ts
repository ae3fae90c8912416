/**
 * Parent-side client of the training child: forks dist/trainer.js, sends start/cancel, and
 * turns the child's messages (and its unexpected death) into one typed outcome. Used by the
 * CLI (`run`) and the extension (src/extension/training.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ErrorMessage, FromTrainerMessage, StartMessage, ToTrainerMessage } from '../protocol/training';
import { RUN_FILES, type ArmName, type RunResults } from '../protocol/runFolder/contract';
import { debugEnabled } from './debug';
import { readStatusFile } from '../protocol/runFolder/read';
import { writeFileAtomic, writeStatusFile } from '../protocol/runFolder/write';

export interface TrainingRunOptions {
  readonly experimentPath: string;
  readonly root?: string;
  readonly arms?: readonly ArmName[];
  readonly backend?: string;
  readonly progressIntervalMs?: number;
  /** Trust and model downloads for text models (StartMessage.text). */
  readonly text?: StartMessage['text'];
  /** Path of dist/trainer.js; default: next to this bundle, else ./dist/trainer.js. */
  readonly trainerPath?: string;
  /** Runtime for the child (e.g. a Node binary when the parent is Electron); default this one. */
  readonly execPath?: string;
  /** Extra environment for the child. */
  readonly env?: NodeJS.ProcessEnv;
}

export type RunOutcome =
  | { readonly status: 'completed'; readonly results: RunResults; readonly runDir: string }
  | { readonly status: 'cancelled'; readonly runDir: string | null; readonly epochsDone: number }
  | { readonly status: 'failed'; readonly error: ErrorMessage };

export function defaultTrainerPath(): string {
  const candidates = [join(__dirname, 'trainer.js'), resolve('dist', 'trainer.js'), join(dirname(__dirname), 'dist', 'trainer.js')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

/** One training run in a child process. */
export class TrainingRun {
  readonly child: ChildProcess;
  /** Settles once with the run's outcome; never rejects. */
  readonly done: Promise<RunOutcome>;
  runDir: string | null = null;
  private readonly listeners: ((msg: FromTrainerMessage) => void)[] = [];
  private stderrTail = '';
  /** Epochs the child reported (its status.json counts only at heartbeats). */
  private epochsDone = 0;
  /** Debugging as the child sees it (its environment may set DATASET_LAB_DEBUG). */
  private readonly debug: boolean;

  private constructor(options: TrainingRunOptions) {
    const trainer = options.trainerPath ?? defaultTrainerPath();
    this.debug = debugEnabled({ ...process.env, ...options.env });
    this.child = fork(trainer, [], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execPath: options.execPath ?? process.execPath,
      env: { ...process.env, ...options.env },
      serialization: 'advanced',
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
    });
    let outcome: RunOutcome | null = null;
    this.done = new Promise<RunOutcome>((resolveDone) => {
      this.child.on('message', (raw) => {
        const msg = raw as FromTrainerMessage;
        if (msg.type === 'started') this.runDir = msg.runDir;
        if (msg.type === 'epoch') this.epochsDone++;
        if (msg.type === 'completed') outcome = { status: 'completed', results: msg.results, runDir: this.runDir ?? '' };
        else if (msg.type === 'cancelled') outcome = { status: 'cancelled', runDir: msg.runDir, epochsDone: msg.epochsDone };
        else if (msg.type === 'error') outcome = { status: 'failed', error: msg };
        for (const l of this.listeners) l(msg);
      });
      this.child.on('error', (err) => {
        outcome ??= { status: 'failed', error: { type: 'error', kind: 'internal', message: `the training process could not start: ${err.message}`, runDir: null } };
      });
      this.child.on('exit', (code, signal) => {
        if (!outcome) {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          const kept = this.runDir ? `; finished epochs are kept in ${join(this.runDir, RUN_FILES.history)}` : '';
          this.markInterrupted(`the training process ${how}`);
          outcome = { status: 'failed', error: { type: 'error', kind: 'internal', message: `the training process ${how} before the run finished${this.lastWords()}${kept}`, runDir: this.runDir } };
        }
        resolveDone(outcome);
      });
    });
    const start: StartMessage = {
      type: 'start',
      experimentPath: resolve(options.experimentPath),
      ...(options.root ? { root: resolve(options.root) } : {}),
      ...(options.arms ? { arms: options.arms } : {}),
      ...(options.backend ? { backend: options.backend } : {}),
      ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
      ...(options.text ? { text: options.text } : {}),
    };
    this.send(start);
  }

  /**
   * The child died without recording an end: record it here, so the run never looks alive.
   * Only over a `running` status (the child may have recorded its end before dying).
   */
  private markInterrupted(reason: string): void {
    if (!this.runDir) return;
    try {
      const status = readStatusFile(this.runDir);
      if (status && status.status !== 'running') return;
      writeStatusFile(this.runDir, { status: 'interrupted', reason, epochsDone: Math.max(this.epochsDone, status?.epochsDone ?? 0), at: new Date().toISOString() });
    } catch {
      // Readers still see the dead process id in the running status.
    }
  }

  /**
   * What the dead child wrote to stderr, for the one-line message: a single line as it is (the
   * trainer reports its own crashes in one line); anything longer (a stack trace, a native
   * abort) goes to trainer-output.log in the run folder, or to the terminal when debugging.
   */
  private lastWords(): string {
    const tail = this.stderrTail.trim();
    if (!tail) return '';
    if (this.debug) return `\n${tail}`;
    const lines = tail.split('\n').filter((l) => l.trim());
    if (lines.length === 1) return `: ${lines[0]}`;
    if (this.runDir) {
      const log = join(this.runDir, RUN_FILES.trainerOutput);
      try {
        writeFileAtomic(log, this.stderrTail);
        return `; its last output is in ${log}`;
      } catch {
        // fall through to the hint
      }
    }
    return ' (set DATASET_LAB_DEBUG=1 to see its output)';
  }

  static start(options: TrainingRunOptions): TrainingRun {
    return new TrainingRun(options);
  }

  /** Child -> parent messages as they arrive. */
  onMessage(listener: (msg: FromTrainerMessage) => void): void {
    this.listeners.push(listener);
  }

  /** Asks the child to stop; it answers `cancelled` within about a second. */
  cancel(): void {
    this.send({ type: 'cancel' });
  }

  /** Ends the child at once (e.g. on extension deactivation). */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  private send(msg: ToTrainerMessage): void {
    if (this.child.connected) this.child.send(msg);
  }
}
