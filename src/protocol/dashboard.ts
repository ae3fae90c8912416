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
import type { ColumnProfile } from '../core/profile';
import type { ExperimentKind } from './armRule';
import type { CompareProgressEvent } from './compareProgress';
import type { StreamCompareDocument } from './streamCompare';
import type { MappingStep } from './mappingSteps';
import type { EpochRecord, RunResults, RunState } from './runFolder/contract';

export type { ComparisonReport, ColumnProfile, StreamCompareDocument };

/** What the compare view shows: the in-memory report, or the streaming mode's document (its `mode` is "streaming"). */
export type CompareDocument = ComparisonReport | StreamCompareDocument;

export type DashboardView = 'compare' | 'profile' | 'training' | 'results';

/** Every view, in tab order. */
export const DASHBOARD_VIEWS: readonly DashboardView[] = ['compare', 'profile', 'training', 'results'];

/**
 * One data file's profile as the Profile view shows it: core's column profiles, computed by
 * the language server from the editor's text (unsaved edits included) or by the CLI from the
 * file on disk.
 */
export interface ProfileSnapshot {
  readonly name: string;
  readonly path: string;
  readonly rows: number;
  readonly columns: readonly ColumnProfile[];
  /** Who computed it: the language server's live model of an open editor, or the CLI reading the file. */
  readonly source: 'language server' | 'file';
  /** The editor's document version the server profiled (language server only). */
  readonly version?: number;
  /** Input problems found while reading (the CLI's count; the server's are in the Problems panel). */
  readonly problemCount?: number;
  /** When it was computed (ISO time). */
  readonly at: string;
}

/** What a comparison is about, beside its report: when it ran. */
export interface CompareMeta {
  /** When the comparison finished (ISO time). */
  readonly at: string;
}

/** A comparison being computed: the files, shown while the view waits. */
export interface CompareProgress {
  readonly files: readonly string[];
  readonly startedAt: string;
  /** Read in bounded memory (compare --stream): the document will be the streaming one. */
  readonly streaming?: boolean;
  /** The latest stage the CLI reported (compare --progress-json). */
  readonly stage?: CompareProgressEvent;
}

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
  /** The experiment file (workspace-relative) or, for a past run, the run folder's name. */
  readonly name: string;
  /** The experiment's own name ("merged vs separate: seattle + new-york"), when known. */
  readonly experiment?: string;
  /** When the run started (ISO time). */
  readonly startedAt?: string;
  /** The data files it trains on (as the experiment names them). */
  readonly datasets?: readonly string[];
  /** interrupted: the training process went away without recording an end (killed, crashed). */
  readonly state: 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';
  readonly arms: readonly string[];
  readonly epochs?: number;
  readonly arm?: string;
  readonly epoch?: number;
  readonly samplesPerSecond?: number;
  /**
   * True when `arm`, `epoch` and `samplesPerSecond` are those of the run's last epoch record
   * (the last line of its history.jsonl); absent or false while they are a batch's progress.
   * The Training view binds them to that line only when true (trainingStatusLinePaths).
   */
  readonly recorded?: boolean;
  /** The experiment's model type (experiment.json model.type): what `epochs` counts (boosting iterations for gbm). */
  readonly modelType?: string;
  /** Seconds left, estimated by the host from the throughput. */
  readonly etaSeconds?: number;
  readonly error?: string;
  /** Best epoch per arm (by validation loss) so far. */
  readonly bestEpoch?: Readonly<Record<string, number>>;
}

export interface PastRun {
  readonly runId: string;
  readonly dir: string;
  /** The experiment's name (experiment.json), shown instead of the folder id. */
  readonly name?: string;
  /** When the run started (results.json or status.json; else the folder's time). */
  readonly createdAt?: string;
  readonly hasResults: boolean;
  readonly state?: RunState;
  /** Why it stopped, in plain words, when it did not complete. */
  readonly reason?: string;
  /** The data files the run trained on (absolute paths from its experiment.json): links a comparison of the same files to it. */
  readonly datasets?: readonly string[];
  /** The arms its experiment trains (experiment.json): whether it tested a recommended arm at all. */
  readonly arms?: readonly string[];
  /** What a completed run concluded over all its datasets (results.json comparison.overall). */
  readonly verdict?: { readonly best: string | null; readonly bestOrTied: readonly string[]; readonly method: string };
}

/** Everything the dashboard shows; sent whole after `ready` and embedded in HTML reports. */
export interface DashboardSnapshot {
  readonly view: DashboardView;
  readonly compare?: CompareDocument;
  readonly compareMeta?: CompareMeta;
  /** A comparison still being computed (the compare view shows its progress). */
  readonly comparing?: CompareProgress;
  readonly profile?: ProfileSnapshot;
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
  readonly report: CompareDocument;
  readonly meta?: CompareMeta;
}
/** A comparison started (files chosen): the compare view shows its progress until `compare` or `compareEnded`. */
export interface CompareStartedMessage {
  readonly type: 'compareStarted';
  readonly progress: CompareProgress;
}
/** The running comparison reached a stage (at most a few a second): the compare view shows it with its percentage. */
export interface CompareStageMessage {
  readonly type: 'compareStage';
  readonly stage: CompareProgressEvent;
}
/** A comparison ended without a report (cancelled or failed): the view goes back to what it showed. */
export interface CompareEndedMessage {
  readonly type: 'compareEnded';
  readonly reason: 'cancelled' | 'failed';
}
export interface ProfileMessage {
  readonly type: 'profile';
  readonly profile: ProfileSnapshot;
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
  | CompareStartedMessage
  | CompareStageMessage
  | CompareEndedMessage
  | ProfileMessage
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
/** True when a comparison of the run's files was shown. */
export interface CompareRunReply {
  readonly type: 'compareRunReply';
  readonly id: number;
  readonly compared: boolean;
}
/** Any request whose handler threw, with the error's message. */
export interface RequestFailedReply {
  readonly type: 'requestFailed';
  readonly id: number;
  readonly request: DashboardRequest['type'];
  readonly message: string;
}

export type DashboardReply = ScaffoldReply | StopTrainingReply | OpenRunReply | RunExperimentReply | UseMappingReply | CompareRunReply | RequestFailedReply;

export type ToWebviewMessage = DashboardUpdate | DashboardReply;

/** Replies are settled by the webview's host bridge (webview/host.ts); updates go to the app. */
export function isReply(m: ToWebviewMessage): m is DashboardReply {
  switch (m.type) {
    case 'scaffoldReply':
    case 'stopTrainingReply':
    case 'openRunReply':
    case 'runExperimentReply':
    case 'useMappingReply':
    case 'compareRunReply':
    case 'requestFailed':
      return true;
    case 'snapshot':
    case 'compare':
    case 'compareStarted':
    case 'compareStage':
    case 'compareEnded':
    case 'profile':
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
  /** The view showed work in progress (a comparison being computed), not the data it waits for. */
  readonly busy?: boolean;
}
export interface ViewChangedMessage {
  readonly type: 'viewChanged';
  readonly view: DashboardView;
}

/** Compare view: scaffold an experiment of a kind (src/protocol/armRule.ts) from the last comparison's files and labels. */
export interface ScaffoldRequest {
  readonly type: 'scaffold';
  readonly id: number;
  readonly experiment: ExperimentKind;
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
/** Results view: compare the files a run trained on, with its labels (the link back to the recommendation). */
export interface CompareRunRequest {
  readonly type: 'compareRun';
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

export type DashboardRequest = ScaffoldRequest | StopTrainingRequest | OpenRunRequest | RunExperimentRequest | UseMappingRequest | CompareRunRequest;

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
  // Per-dataset losses: every head of a multi-head model, and the one head of a separate model
  // (named after its dataset), so each dataset's loss chart shows every arm that has one. A merged
  // model's one head spans every dataset: its loss is the model's own.
  const sources = new Set(Object.keys(r.sources ?? {}));
  const heads = Object.entries(r.heads ?? {});
  for (const [head, h] of heads) {
    if (heads.length < 2 && !sources.has(head)) continue;
    add(`loss/${head}`, h.trainLoss);
    add(`val_loss/${head}`, h.valLoss);
  }
  for (const [source, s] of Object.entries(r.sources ?? {})) add(`val_${s.metric ?? 'metric'}/${source}`, s.value);
  return pts;
}

/**
 * Where the Training status line's numbers come from in the run folder, as data-json paths (the
 * e2e reads them back): `history` is the last line of history.jsonl (the epoch and throughput,
 * when the status is `recorded`), `experiment` the experiment as run (experiment.json: the
 * epochs, or boosting iterations, of each model).
 */
export function trainingStatusLinePaths(modelType: string | undefined): { readonly epoch: readonly string[]; readonly samplesPerSecond: readonly string[]; readonly epochs: readonly string[] } {
  return {
    epoch: ['history', 'epoch'],
    samplesPerSecond: ['history', 'samplesPerSecond'],
    epochs: modelType === 'gbm' ? ['experiment', 'model', 'trees', 'iterations'] : ['experiment', 'training', 'epochs'],
  };
}

/** The last whole epoch record of history.jsonl text (a partial last line is skipped). */
export function lastHistoryLine(text: string): HistoryLine | undefined {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].trim()) continue;
    try {
      return JSON.parse(lines[i]) as HistoryLine;
    } catch {
      /* partial line */
    }
  }
  return undefined;
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
