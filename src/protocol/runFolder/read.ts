/**
 * Reading run folders: a run's state (what status.json says, checked against the training
 * process it names), its results, curves and settings, and the list of runs of a workspace.
 * One reader for the CLI (`predict`, `report`) and the extension (dashboard, *Open Run...*);
 * what each file holds is ./contract.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { isStrictlyInside, realPath } from '../../core/paths';
import { historyPoints, lastHistoryLine, type CurvePoint, type DashboardResults, type HistoryLine, type PastRun, type TrainingStatus } from '../dashboard';
import { HEARTBEAT_STALE_MS, RUN_FILES, type RunResults, type RunState, type RunStatus, type StatusFile } from './contract';

const STATES: readonly RunState[] = ['running', 'completed', 'cancelled', 'failed', 'diverged', 'interrupted'];

/** status.json of `dir` as written, undefined when absent; throws when it cannot be read. */
export function readStatusFile(dir: string): StatusFile | undefined {
  const path = join(dir, RUN_FILES.status);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as StatusFile;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state of the run in `dir`. Never throws: an unreadable status is itself a state. */
export function readRunStatus(dir: string, now = Date.now()): RunStatus {
  let file: StatusFile | undefined;
  try {
    file = readStatusFile(dir);
  } catch {
    return { state: 'unfinished', reason: 'status.json cannot be read' };
  }
  if (!file) {
    // Runs written before status.json recorded every state: results.json is written last.
    return existsSync(join(dir, RUN_FILES.results)) ? { state: 'completed' } : { state: 'unfinished', reason: 'neither status.json nor results.json was written' };
  }
  const state = STATES.find((s) => s === file?.status) ?? 'unfinished';
  const common = {
    ...(typeof file.epochsDone === 'number' ? { epochsDone: file.epochsDone } : {}),
  };
  if (state === 'running') {
    const here = file.host === undefined || file.host === hostname();
    if (here && typeof file.pid === 'number' && !processAlive(file.pid)) {
      return { state: 'interrupted', reason: `the training process (pid ${file.pid}) is gone`, ...common };
    }
    const last = Date.parse(file.heartbeatAt ?? file.at ?? '');
    if (Number.isFinite(last) && now - last > HEARTBEAT_STALE_MS) return { state: 'interrupted', reason: `no heartbeat since ${file.heartbeatAt ?? file.at}`, ...common };
    return { state, ...common, ...(typeof file.pid === 'number' ? { pid: file.pid } : {}), ...(file.heartbeatAt ? { heartbeatAt: file.heartbeatAt } : {}) };
  }
  return {
    state,
    ...(file.reason !== undefined ? { reason: file.reason } : {}),
    ...(file.message !== undefined ? { message: file.message } : {}),
    ...common,
    ...(file.at !== undefined ? { at: file.at } : {}),
  };
}

/** "the run failed after 3 epochs: disk full", for messages. */
export function describeRunStatus(s: RunStatus): string {
  const epochs = s.epochsDone !== undefined ? ` after ${s.epochsDone} epoch${s.epochsDone === 1 ? '' : 's'}` : '';
  switch (s.state) {
    case 'completed':
      return 'the run completed';
    case 'running':
      return `the run is still running${s.pid !== undefined ? ` (training process ${s.pid})` : ''}`;
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

/** The dashboard's status line for a finished or dead run. */
export function trainingStatusOf(runId: string, name: string, status: RunStatus, arms: readonly string[], run?: Pick<RunFolderContents, 'lastEpoch' | 'settings'>): TrainingStatus {
  const state: TrainingStatus['state'] = status.state === 'diverged' ? 'failed' : status.state === 'unfinished' ? 'interrupted' : status.state;
  const why = status.state === 'completed' || status.state === 'running' ? undefined : describeRunStatus(status);
  return { runId, name, state, arms, ...(run ? lastEpochStatus(run.lastEpoch, run.settings) : {}), ...(why ? { error: why } : {}) };
}

/**
 * A past run's status line as the live one ends: the model, epoch and throughput of its last
 * epoch record (history.jsonl's last line), and what its models count to (experiment.json:
 * training.epochs, or model.trees.iterations for gbm; closed-form linear models have none).
 */
export function lastEpochStatus(last: HistoryLine | undefined, settings: unknown): Partial<TrainingStatus> {
  const exp = (settings ?? {}) as { model?: { type?: unknown; trees?: { iterations?: unknown } }; training?: { epochs?: unknown } };
  const modelType = typeof exp.model?.type === 'string' ? exp.model.type : undefined;
  const total = modelType === 'gbm' ? exp.model?.trees?.iterations : modelType === 'linear' ? undefined : exp.training?.epochs;
  const out: { -readonly [K in keyof TrainingStatus]?: TrainingStatus[K] } = {};
  if (modelType) out.modelType = modelType;
  if (last && typeof last.model === 'string' && typeof last.epoch === 'number') {
    out.arm = last.model;
    out.epoch = last.epoch;
    if (typeof last.samplesPerSecond === 'number') out.samplesPerSecond = last.samplesPerSecond;
    out.recorded = true;
    if (typeof total === 'number') out.epochs = total;
  }
  return out;
}

export interface RunFolderContents {
  readonly status: RunStatus;
  /** results.json, with the resolved experiment as `settings` when the folder has it. */
  readonly results: DashboardResults | undefined;
  readonly points: CurvePoint[];
  /** The last whole line of history.jsonl. */
  readonly lastEpoch?: HistoryLine;
  readonly settings: unknown;
}

async function readJson(path: string): Promise<unknown> {
  return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as unknown) : undefined;
}

/**
 * Everything a run folder holds for display. results.json must parse when present (a partial
 * one is never renamed into place); the settings are optional and skipped when unreadable.
 */
export async function readRunFolder(dir: string): Promise<RunFolderContents> {
  let results = (await readJson(join(dir, RUN_FILES.results))) as DashboardResults | undefined;
  const historyPath = join(dir, RUN_FILES.history);
  const history = existsSync(historyPath) ? await readFile(historyPath, 'utf8') : '';
  const points = historyPoints(history);
  const lastEpoch = lastHistoryLine(history);
  let settings: unknown;
  try {
    settings = await readJson(join(dir, RUN_FILES.experiment));
  } catch {
    settings = undefined;
  }
  if (results && settings !== undefined) results = { ...results, settings };
  return { status: readRunStatus(dir), results, points, ...(lastEpoch ? { lastEpoch } : {}), settings };
}

/**
 * The runs under `runsRoot` (`<workspace>/.dataset-lab/runs`), newest first, each with its
 * state. A runs folder that is a link out of `workspace` is not read.
 */
export async function listRunFolders(runsRoot: string, workspace = dirname(dirname(runsRoot))): Promise<PastRun[]> {
  if (!existsSync(runsRoot) || !isStrictlyInside(realPath(workspace), realPath(runsRoot))) return [];
  const out: PastRun[] = [];
  for (const id of await readdir(runsRoot)) {
    const dir = join(runsRoot, id);
    const st = await stat(dir).catch(() => undefined);
    if (!st?.isDirectory()) continue;
    const status = readRunStatus(dir);
    const hasResults = existsSync(join(dir, RUN_FILES.results));
    out.push({
      runId: id,
      dir,
      createdAt: st.mtime.toISOString(),
      hasResults,
      state: status.state,
      ...(status.reason !== undefined ? { reason: status.reason } : {}),
      ...testedBy(dir, hasResults),
    });
  }
  return out.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

/**
 * Which data files a run trained on and what it concluded: what links a comparison of the same
 * files to the run that tested its recommendation. Unreadable files leave the fields out.
 */
function testedBy(dir: string, hasResults: boolean): Pick<PastRun, 'datasets' | 'verdict'> {
  const out: { datasets?: string[]; verdict?: PastRun['verdict'] } = {};
  try {
    const exp = JSON.parse(readFileSync(join(dir, RUN_FILES.experiment), 'utf8')) as { datasets?: { absPath?: unknown }[] };
    const paths = (exp.datasets ?? []).map((d) => d.absPath).filter((p): p is string => typeof p === 'string');
    if (paths.length) out.datasets = paths;
  } catch {
    // no experiment.json: no link
  }
  if (hasResults) {
    try {
      const r = JSON.parse(readFileSync(join(dir, RUN_FILES.results), 'utf8')) as Partial<RunResults>;
      const o = r.comparison?.overall;
      if (o) out.verdict = { best: o.best, bestOrTied: [...o.bestOrTied], method: r.evaluation?.method ?? 'holdout' };
    } catch {
      // results unreadable: the run is listed without its verdict
    }
  }
  return out;
}
