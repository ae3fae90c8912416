/**
 * Which arms an experiment can train, from its datasets' labels: the one rule `init` (through
 * src/training/scaffold.ts) and the dashboard's compare view both apply, so neither offers an
 * arm the other leaves out. A merged model learns one target from every dataset's rows, so it
 * needs label columns that measure the same thing (the same name up to case, spaces and
 * punctuation, which is how the schema alignment matches columns; a user who knows two names
 * mean the same renames one in the dataset's `transform`) and compatible label spaces: the same
 * task and, for classes, values that the datasets share. Pure (the webview bundle imports it).
 */
import { normalizeColumnName } from '../core/schemaAlign';

/** The kinds of experiment `init` writes: the arms each trains, always beside the separate baseline. */
export type ExperimentKind = 'merge' | 'multihead' | 'separate' | 'all';

export const EXPERIMENT_KINDS: readonly ExperimentKind[] = ['merge', 'multihead', 'separate', 'all'];

/** What a kind is called on buttons and in menus. */
/** The headline of a recommendation of each strategy (the compare views, in memory and streamed). */
export const STRATEGY_TITLES: Readonly<Record<string, string>> = { merge: 'Merge the datasets', multihead: 'Train one multi-head model', separate: 'Keep separate models' };

export const EXPERIMENT_KIND_TITLES: Readonly<Record<ExperimentKind, string>> = {
  merge: 'merged vs separate',
  multihead: 'multi-head vs separate',
  separate: 'separate models only',
  all: 'every applicable arm',
};

export interface DatasetLabel {
  readonly dataset: string;
  readonly column: string;
  readonly task: 'classification' | 'regression';
  /** Classification: the label values present. */
  readonly classes?: readonly string[];
}

/** Why no merged arm can be trained on these labels, or undefined when it can. */
export function mergedArmProblem(labels: readonly DatasetLabel[]): string | undefined {
  if (labels.length < 2) return 'there is one dataset: nothing to merge';
  const names = new Set(labels.map((l) => normalizeColumnName(l.column)));
  if (names.size > 1) {
    return `the label columns differ (${labels.map((l) => `"${l.column}" in ${l.dataset}`).join(', ')}): one merged model would learn one dataset's target from rows labelled with another's; if they measure the same thing, rename one (a "rename" step in that dataset's transform)`;
  }
  const tasks = new Set(labels.map((l) => l.task));
  if (tasks.size > 1) return `the labels have different tasks (${labels.map((l) => `${l.dataset}: ${l.task}`).join(', ')})`;
  if (labels[0].task === 'classification') {
    const lonely = labels.filter((l, i) => l.classes && !labels.some((o, j) => j !== i && o.classes?.some((c) => l.classes?.includes(c))));
    if (lonely.length) {
      return `${lonely.map((l) => l.dataset).join(' and ')} ${lonely.length === 1 ? 'shares' : 'share'} no label value with the other datasets (${labels.map((l) => `${l.dataset}: ${(l.classes ?? []).slice(0, 4).join(', ')}${(l.classes?.length ?? 0) > 4 ? ', ...' : ''}`).join('; ')}): the label spaces do not meet`;
    }
  }
  return undefined;
}

/** The arms a kind trains on these labels, and a note for each arm it cannot train and why. */
export function armsFor(kind: ExperimentKind, labels: readonly DatasetLabel[]): { readonly arms: ('separate' | 'merged' | 'multihead')[]; readonly notes: string[]; readonly refused?: string } {
  const merged = mergedArmProblem(labels);
  const several = labels.length > 1;
  switch (kind) {
    case 'separate':
      return { arms: ['separate'], notes: [] };
    case 'merge':
      if (merged) return { arms: ['separate'], notes: [], refused: `cannot merge: ${merged}; use a multi-head experiment ("init multihead")` };
      return { arms: ['separate', 'merged'], notes: [] };
    case 'multihead':
      if (!several) return { arms: ['separate'], notes: [], refused: 'a multi-head model needs at least two datasets' };
      // Said even though this kind never trains it: the user may wonder why not add it.
      return { arms: ['separate', 'multihead'], notes: merged ? [`no merged arm: ${merged}`] : [] };
    case 'all':
      return {
        arms: ['separate', ...(merged ? [] : (['merged'] as const)), ...(several ? (['multihead'] as const) : [])],
        notes: merged ? [`no merged arm: ${merged}`] : [],
      };
  }
}
