/**
 * Messages between the extension host (src/extension/dashboard.ts) and the dashboard webview
 * (webview/), and the snapshot that the static HTML report (src/cli/htmlReport.ts) embeds as
 * JSON instead of sending it.
 *
 * Handshake: the webview speaks first (`ready`); the host answers with one complete `snapshot`
 * and sends updates after it (before `ready` it keeps only view switches and replies: the
 * snapshot carries the state). The webview sends notifications (what it drew, errors) and
 * requests (its buttons); each request carries an `id` and gets exactly one reply with that id:
 * `<type>Reply` when it succeeded, `requestFailed` when its handler threw. Both sides switch
 * exhaustively over these unions (`assertNever`), so a new message is handled everywhere.
 *
 * Types and tiny pure helpers only: the webview bundle imports this file.
 */
import type { ComparisonReport } from '../core/compare';
import type { MappingStep } from './mappingSteps';
import type { EpochRecord, RunResults, RunState } from './runFolder/contract';

export type { ComparisonReport };

export type DashboardView = 'compare' | 'training' | 'results';

// ---------------------------------------------------------------------------------------------
// Training data: the run folder's own types (./runFolder/contract.ts), never copies.

/** results.json as shown: with the resolved experiment attached as `settings` when the host has it. */
export type DashboardResults = RunResults & { readonly settings?: unknown };

/** One point of a training curve. `step` is the epoch (fractional for batch updates). */
export interface CurvePoint {
  readonly arm: string;
  /** e.g. "loss", "val_loss", "loss/seattle", "val_loss/head:new-york". */
  readonly metric: string;
  readonly step: number;
  readonly value: number;
  /** Cross-validation: the fold (1-based) this point belongs to; charts draw the folds' mean with a band. */
  readonly fold?: number;
}

export interface TrainingStatus {
  readonly runId: string;
  readonly name: string;
  /** interrupted: the training process went away without recording an end (killed, crashed). */
  readonly state: 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';
  readonly arms: readonly string[];
  readonly epochs?: number;
  readonly arm?: string;
  readonly epoch?: number;
  readonly samplesPerSecond?: number;
  /** Seconds left, estimated by the host from the throughput. */
  readonly etaSeconds?: number;
  readonly error?: string;
  /** Best epoch per arm (by validation loss) so far. */
  readonly bestEpoch?: Readonly<Record<string, number>>;
}

export interface PastRun {
  readonly runId: string;
  readonly dir: string;
  readonly name?: string;
  readonly createdAt?: string;
  readonly hasResults: boolean;
  readonly state?: RunState;
  /** Why it stopped, in plain words, when it did not complete. */
  readonly reason?: string;
  /** The data files the run trained on (absolute paths from its experiment.json): links a comparison of the same files to it. */
  readonly datasets?: readonly string[];
  /** What a completed run concluded over all its datasets (results.json comparison.overall). */
  readonly verdict?: { readonly best: string | null; readonly bestOrTied: readonly string[]; readonly method: string };
}

/** Everything the dashboard shows; sent whole after `ready` and embedded in HTML reports. */
export interface DashboardSnapshot {
  readonly view: DashboardView;
  readonly compare?: ComparisonReport;
  readonly training?: {
    readonly status: TrainingStatus;
    readonly points: readonly CurvePoint[];
  };
  readonly results?: DashboardResults;
  readonly runs?: readonly PastRun[];
  /** True in the static HTML report: no host to send requests to. */
  readonly staticReport?: boolean;
  /** False in untrusted workspaces (Restricted Mode): training buttons are disabled. */
  readonly trainingAllowed?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Host -> webview

export interface SnapshotMessage {
  readonly type: 'snapshot';
  readonly snapshot: DashboardSnapshot;
}
export interface CompareMessage {
  readonly type: 'compare';
  readonly report: ComparisonReport;
}
export interface TrainingStartedMessage {
  readonly type: 'trainingStarted';
  readonly status: TrainingStatus;
}
/** A batch of new curve points (the host throttles to a few messages a second). */
export interface TrainingPointsMessage {
  readonly type: 'trainingPoints';
  readonly points: readonly CurvePoint[];
  readonly status: TrainingStatus;
}
export interface TrainingFinishedMessage {
  readonly type: 'trainingFinished';
  readonly status: TrainingStatus;
  readonly results?: DashboardResults;
}
export interface ResultsMessage {
  readonly type: 'results';
  readonly results: DashboardResults;
  readonly runs?: readonly PastRun[];
}
export interface RunsMessage {
  readonly type: 'runs';
  readonly runs: readonly PastRun[];
}
export interface ShowViewMessage {
  readonly type: 'showView';
  readonly view: DashboardView;
}

/** State the host pushes; the webview's switch over these is in webview/main.ts. */
export type DashboardUpdate =
  | SnapshotMessage
  | CompareMessage
  | TrainingStartedMessage
  | TrainingPointsMessage
  | TrainingFinishedMessage
  | ResultsMessage
  | RunsMessage
  | ShowViewMessage;

/** The experiment file created from the last comparison (workspace-relative), or null when the user cancelled. */
export interface ScaffoldReply {
  readonly type: 'scaffoldReply';
  readonly id: number;
  readonly experimentFile: string | null;
}
/** False when no training was running. */
export interface StopTrainingReply {
  readonly type: 'stopTrainingReply';
  readonly id: number;
  readonly stopped: boolean;
}
/** False when the run has no results to show. */
export interface OpenRunReply {
  readonly type: 'openRunReply';
  readonly id: number;
  readonly opened: boolean;
}
/** How the run ended; null when none started (no experiment chosen, or one already running). */
export interface RunExperimentReply {
  readonly type: 'runExperimentReply';
  readonly id: number;
  readonly state: 'completed' | 'cancelled' | 'failed' | 'restricted' | null;
}
/** The experiment file the mapping was written into (workspace-relative), or null when none was chosen or none uses the dataset. */
export interface UseMappingReply {
  readonly type: 'useMappingReply';
  readonly id: number;
  readonly experimentFile: string | null;
}
/** Any request whose handler threw, with the error's message. */
export interface RequestFailedReply {
  readonly type: 'requestFailed';
  readonly id: number;
  readonly request: DashboardRequest['type'];
  readonly message: string;
}

export type DashboardReply = ScaffoldReply | StopTrainingReply | OpenRunReply | RunExperimentReply | UseMappingReply | RequestFailedReply;

export type ToWebviewMessage = DashboardUpdate | DashboardReply;

/** Replies are settled by the webview's host bridge (webview/host.ts); updates go to the app. */
export function isReply(m: ToWebviewMessage): m is DashboardReply {
  switch (m.type) {
    case 'scaffoldReply':
    case 'stopTrainingReply':
    case 'openRunReply':
    case 'runExperimentReply':
    case 'useMappingReply':
    case 'requestFailed':
      return true;
    case 'snapshot':
    case 'compare':
    case 'trainingStarted':
    case 'trainingPoints':
    case 'trainingFinished':
    case 'results':
    case 'runs':
    case 'showView':
      return false;
    default:
      return assertNever(m);
  }
}

// ---------------------------------------------------------------------------------------------
// Webview -> host

export interface ReadyMessage {
  readonly type: 'ready';
}
/** What the webview drew, so the host (and the integration tests) know the data arrived. */
export interface RenderedMessage {
  readonly type: 'rendered';
  readonly view: DashboardView;
  readonly charts: number;
  readonly rows: number;
}
export interface ViewChangedMessage {
  readonly type: 'viewChanged';
  readonly view: DashboardView;
}

/** Compare view: scaffold an experiment from the last comparison's files and labels. */
export interface ScaffoldRequest {
  readonly type: 'scaffold';
  readonly id: number;
  readonly experiment: 'merge' | 'multihead';
}
/** Training view: stop the running training. */
export interface StopTrainingRequest {
  readonly type: 'stopTraining';
  readonly id: number;
}
/** Results view: show a past run. */
export interface OpenRunRequest {
  readonly type: 'openRun';
  readonly id: number;
  readonly runId: string;
}
/** Run an experiment (the host asks which one). */
export interface RunExperimentRequest {
  readonly type: 'runExperiment';
  readonly id: number;
}

/**
 * Compare view: write a suggested mapping or unit conversion into the `transform` of the other
 * dataset in an experiment file that uses it (the host finds the file, asks when several do).
 */
export interface UseMappingRequest {
  readonly type: 'useMapping';
  readonly id: number;
  /** The other dataset's file, as the comparison names it. */
  readonly file: string;
  readonly step: MappingStep;
}

export type DashboardRequest = ScaffoldRequest | StopTrainingRequest | OpenRunRequest | RunExperimentRequest | UseMappingRequest;

/** A webview-side error worth surfacing in the output channel. */
export interface WebviewErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

export type FromWebviewMessage = ReadyMessage | RenderedMessage | ViewChangedMessage | WebviewErrorMessage | DashboardRequest;

export type DashboardRequestType = DashboardRequest['type'];
export type RequestOf<T extends DashboardRequestType> = Extract<DashboardRequest, { readonly type: T }>;
/** What a request carries besides its type and id. */
export type RequestParams<T extends DashboardRequestType> = Omit<RequestOf<T>, 'type' | 'id'>;
/** The reply a request of type T gets when it succeeds. */
export type ReplyOf<T extends DashboardRequestType> = Extract<DashboardReply, { readonly type: `${T}Reply` }>;

export function replyTypeOf<T extends DashboardRequestType>(type: T): ReplyOf<T>['type'] {
  return `${type}Reply` as ReplyOf<T>['type'];
}

export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}

/** Persisted webview state (vscode.setState); versioned because it outlives a reload. */
export interface DashboardPersistedState {
  readonly version: 1;
  readonly view: DashboardView;
}

// ---------------------------------------------------------------------------------------------
// Shared by the extension host and the `report` CLI command (pure; no Node or DOM).

/** One line of a run's history.jsonl as read back: an EpochRecord, any field possibly missing in a damaged file. */
export type HistoryLine = Partial<EpochRecord>;

/**
 * Curve points of one epoch record: loss and val_loss per model, per head, and per-source
 * metrics. In a cross-validation run (`cv`), records of a fold carry it; the final refit's
 * records (no fold) are their own curves, named "<model> (refit)".
 */
export function epochPoints(r: HistoryLine, options: { readonly cv?: boolean } = {}): CurvePoint[] {
  const pts: CurvePoint[] = [];
  const model = r.model ?? r.arm ?? 'model';
  const fold = typeof r.fold === 'number' ? r.fold : undefined;
  const arm = options.cv && fold === undefined ? `${model} (refit)` : model;
  const step = r.epoch ?? 0;
  const add = (metric: string, v: number | null | undefined) => {
    if (typeof v === 'number' && Number.isFinite(v)) pts.push(fold === undefined ? { arm, metric, step, value: v } : { arm, metric, step, value: v, fold });
  };
  add('loss', r.trainLoss);
  add('val_loss', r.valLoss);
  if (r.heads && Object.keys(r.heads).length > 1) {
    for (const [head, h] of Object.entries(r.heads)) {
      add(`loss/${head}`, h.trainLoss);
      add(`val_loss/${head}`, h.valLoss);
    }
  }
  for (const [source, s] of Object.entries(r.sources ?? {})) add(`val_${s.metric ?? 'metric'}/${source}`, s.value);
  return pts;
}

/** Parse history.jsonl text; a partial last line (a crashed run) is skipped. */
export function historyPoints(text: string): CurvePoint[] {
  const records: HistoryLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as HistoryLine);
    } catch {
      /* partial line */
    }
  }
  const cv = records.some((r) => typeof r.fold === 'number');
  return records.flatMap((r) => epochPoints(r, { cv }));
}
