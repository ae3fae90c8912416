/** The results document: results.json in a run folder, and what `run --json` prints. */
import type { SourceLeakage } from './leakage';
import type { ArmName } from './experiment';
import type { Metrics } from './metrics';

export type SourceResult = Metrics & {
  /** Epochs run and best epoch of the model that scored this source. */
  readonly epochs: number;
  readonly bestEpoch: number;
};

export interface ArmResult {
  readonly arm: ArmName;
  readonly model: 'mlp' | 'least_squares' | 'logistic';
  /** Test-split metrics per dataset. */
  readonly bySource: Record<string, SourceResult>;
  /** Test-split metrics over all datasets' test rows together. */
  readonly pooled: Metrics;
  /** Most epochs any of the arm's models ran, and that model's best epoch. */
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly seconds: number;
}

export interface SourceComparison {
  readonly metric: 'accuracy' | 'r2';
  readonly separate: number | null;
  readonly merged: number | null;
  readonly multihead: number | null;
  /** Absolute gain over the separate baseline, per arm. */
  readonly gain: { readonly merged: number | null; readonly multihead: number | null };
  readonly best: ArmName | null;
}

export interface Comparison {
  readonly bySource: Record<string, SourceComparison>;
  /** Mean over datasets of (arm - separate) / |separate| (higher is better), per arm. */
  readonly deltaM: { readonly merged: number | null; readonly multihead: number | null };
}

export interface RunResults {
  readonly runId: string;
  readonly experiment: string;
  readonly backend: string;
  readonly seed: number;
  readonly splitSeed: number;
  readonly status: 'completed';
  readonly arms: ArmResult[];
  readonly comparison: Comparison;
  readonly datasets: Record<string, { readonly task: 'classification' | 'regression'; readonly rows: number; readonly train: number; readonly validation: number; readonly test: number; readonly unlabelled: number; readonly leakage: SourceLeakage }>;
  readonly features: string[];
  readonly startedAt: string;
  readonly finishedAt: string;
}
