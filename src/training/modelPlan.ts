/**
 * What each arm trains: one plan per model (separate: one per dataset; merged: one model with the
 * union of classes; multihead: one model with a head per dataset), and the head descriptions
 * saved with every model.
 */
import type { PreparedData, Source } from './data';
import type { ArmName, Task } from '../protocol/runFolder/contract';
import type { FittedPreprocessing } from './preprocess';

/** One head as saved with a model: what it predicts and how to read its outputs. */
export interface HeadInfo {
  readonly name: string;
  readonly task: Task;
  readonly label: string;
  /** Classification: class names in output order. */
  readonly classes: readonly string[];
  /** Datasets whose rows this head was trained on. */
  readonly sources: readonly string[];
}

/** Everything `predict` needs besides the TF.js model itself. */
export interface ModelMeta {
  readonly format: 'dataset-lab-model';
  readonly version: 1;
  readonly arm: ArmName;
  readonly id: string;
  readonly kind: 'mlp' | 'least_squares' | 'logistic' | 'gbm';
  readonly preprocessing: FittedPreprocessing;
  readonly heads: readonly HeadInfo[];
}

/**
 * A file saved beside a model's model.json (text models: text.json and their encoders' weights),
 * named relative to the model folder ("text.json", "encoder/model.json").
 */
export interface ModelFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface ModelPlan {
  readonly arm: ArmName;
  readonly id: string;
  readonly sources: readonly Source[];
  readonly heads: readonly HeadInfo[];
  /** Head index per plan source. */
  readonly headOf: readonly number[];
  /** Per plan source: its class index -> head class index. */
  readonly classMap: readonly Int32Array[];
}

export function unionClasses(sources: readonly Source[]): string[] {
  const all = [...new Set(sources.flatMap((s) => s.classes))];
  const numeric = all.every((n) => n.trim() !== '' && Number.isFinite(Number(n)));
  return numeric ? all.sort((a, b) => Number(a) - Number(b)) : all.sort();
}

export function plansFor(arm: ArmName, data: PreparedData): ModelPlan[] {
  const identity = (s: Source) => Int32Array.from(s.classes, (_, i) => i);
  const info = (name: string, s: readonly Source[], classes: readonly string[]): HeadInfo => ({
    name,
    task: s[0].task,
    label: [...new Set(s.map((x) => x.label))].join('|'),
    classes,
    sources: s.map((x) => x.name),
  });
  if (arm === 'separate') {
    return data.sources.map((s) => ({ arm, id: `separate/${s.name}`, sources: [s], heads: [info(s.name, [s], s.classes)], headOf: [0], classMap: [identity(s)] }));
  }
  if (arm === 'merged') {
    const classes = data.sources[0].task === 'classification' ? unionClasses(data.sources) : [];
    const index = new Map(classes.map((c, i) => [c, i]));
    return [
      {
        arm,
        id: 'merged',
        sources: data.sources,
        heads: [info('merged', data.sources, classes)],
        headOf: data.sources.map(() => 0),
        classMap: data.sources.map((s) => Int32Array.from(s.classes, (c) => index.get(c) as number)),
      },
    ];
  }
  return [
    {
      arm,
      id: 'multihead',
      sources: data.sources,
      heads: data.sources.map((s) => info(s.name, [s], s.classes)),
      headOf: data.sources.map((_, i) => i),
      classMap: data.sources.map(identity),
    },
  ];
}
