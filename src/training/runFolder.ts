/**
 * Reading a run folder's state: what status.json says, or what the files left behind show when
 * it says nothing. One reader for the CLI (`predict`, `report`) and the extension.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type RunState = 'running' | 'completed' | 'cancelled' | 'failed' | 'diverged' | 'interrupted' | 'unfinished';

export interface RunStatus {
  readonly state: RunState;
  /** Why it stopped, in plain words (`disk full`, `the training process is gone`). */
  readonly reason?: string;
  readonly message?: string;
  readonly epochsDone?: number;
  /** When the state was recorded (ISO time). */
  readonly at?: string;
}

interface StatusFile {
  status?: string;
  reason?: string;
  message?: string;
  epochsDone?: number;
  at?: string;
}

const STATES: readonly RunState[] = ['running', 'completed', 'cancelled', 'failed', 'diverged', 'interrupted'];

/** The state of the run in `dir`. Never throws: an unreadable status is itself a state. */
export function readRunStatus(dir: string): RunStatus {
  const statusPath = join(dir, 'status.json');
  let file: StatusFile | undefined;
  if (existsSync(statusPath)) {
    try {
      file = JSON.parse(readFileSync(statusPath, 'utf8')) as StatusFile;
    } catch {
      return { state: 'unfinished', reason: 'status.json cannot be read' };
    }
  }
  if (!file) {
    // Runs written before status.json recorded every state: results.json is written last.
    return existsSync(join(dir, 'results.json')) ? { state: 'completed' } : { state: 'unfinished', reason: 'neither status.json nor results.json was written' };
  }
  const state = STATES.find((s) => s === file?.status) ?? 'unfinished';
  return {
    state,
    ...(file.reason !== undefined ? { reason: file.reason } : {}),
    ...(file.message !== undefined ? { message: file.message } : {}),
    ...(typeof file.epochsDone === 'number' ? { epochsDone: file.epochsDone } : {}),
    ...(file.at !== undefined ? { at: file.at } : {}),
  };
}

/** "the run failed: disk full", for messages. */
export function describeRunStatus(s: RunStatus): string {
  const epochs = s.epochsDone !== undefined ? ` after ${s.epochsDone} epoch${s.epochsDone === 1 ? '' : 's'}` : '';
  switch (s.state) {
    case 'completed':
      return 'the run completed';
    case 'running':
      return 'the run is still running';
    case 'cancelled':
      return `the run was cancelled${epochs}`;
    case 'diverged':
      return `the run diverged${s.message ? `: ${s.message}` : ''}`;
    case 'failed':
      return `the run failed${epochs}${s.reason ? `: ${s.reason}` : ''}`;
    case 'interrupted':
      return `the run was interrupted${epochs}${s.reason ? `: ${s.reason}` : ''}`;
    case 'unfinished':
      return `the run did not finish${s.reason ? ` (${s.reason})` : ''}`;
  }
}
