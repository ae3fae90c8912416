/** One pair of datasets (reference vs other): schema, per-feature drift, labels, domain classifier. */
import { alignSchemas } from '../schemaAlign';
import type { DriftThresholds } from '../stats/driftRule';
import type { Column, DataTable } from '../table';
import { domainClassifierSummary, type DomainPair } from './domainShift';
import { compareFeature } from './featureDrift';
import { compareLabels } from './labelShift';
import { unitDifferences } from './unitDifferences';
import type { FeatureComparison, PairComparison } from './types';

export interface PairOptions {
  readonly thresholds: DriftThresholds;
  readonly bins: number;
  readonly seed: number;
  readonly skipDomainClassifier: boolean;
  /** Told each stage of the pair as it starts and advances (compareDatasets.ts CompareStep). */
  readonly onProgress?: (step: PairStep) => void;
}

/** A pair's stage: `drift` (column `done` of `total`), `label`, `units` (unit differences), `domain` (fold `done` of `total`). */
export interface PairStep {
  readonly stage: 'drift' | 'label' | 'units' | 'domain';
  readonly done: number;
  readonly total: number;
}

export function comparePair(
  refTable: DataTable,
  otherTable: DataTable,
  refLabel: string | undefined,
  otherLabel: string | undefined,
  options: PairOptions,
): PairComparison {
  const isLabel = (t: DataTable, c: string, label: string | undefined) => label !== undefined && c === label && t.columns.some((x) => x.name === c);
  const refFeatures = refTable.columns.filter((c) => !isLabel(refTable, c.name, refLabel));
  const otherFeatures = otherTable.columns.filter((c) => !isLabel(otherTable, c.name, otherLabel));
  const schema = alignSchemas(refFeatures, otherFeatures);
  const features: FeatureComparison[] = [];
  const pairs: DomainPair[] = [];
  const report = options.onProgress;
  report?.({ stage: 'drift', done: 0, total: schema.matched.length });
  for (const m of schema.matched) {
    const ref = refFeatures.find((c) => c.name === m.reference) as Column;
    const other = otherFeatures.find((c) => c.name === m.other) as Column;
    const f = compareFeature(ref, other, refTable.rows, otherTable.rows, options.thresholds, options.bins);
    features.push(f);
    if (!f.identifierLike) pairs.push({ ref, other, name: m.reference });
    report?.({ stage: 'drift', done: features.length, total: schema.matched.length });
  }
  report?.({ stage: 'label', done: 0, total: 1 });
  const refLabelCol = refLabel !== undefined ? refTable.columns.find((c) => c.name === refLabel) : undefined;
  const otherLabelCol = otherLabel !== undefined ? otherTable.columns.find((c) => c.name === otherLabel) : undefined;
  const label = refLabelCol && otherLabelCol ? compareLabels(refLabelCol, otherLabelCol) : undefined;
  // Same quantity in other units: matched columns and suggested mappings whose values differ by one factor.
  report?.({ stage: 'units', done: 0, total: 1 });
  const unitPairs: (readonly [Column, Column])[] = [];
  for (const m of [...schema.matched, ...schema.suggestions]) {
    const ref = refFeatures.find((c) => c.name === m.reference);
    const other = otherFeatures.find((c) => c.name === m.other);
    if (ref && other) unitPairs.push([ref, other]);
  }
  const units = unitDifferences(unitPairs);
  if (!options.skipDomainClassifier) report?.({ stage: 'domain', done: 0, total: 0 });
  const domainClassifier = options.skipDomainClassifier
    ? undefined
    : domainClassifierSummary(pairs, refTable.rows, otherTable.rows, options.seed, report ? (done, total) => report({ stage: 'domain', done, total }) : undefined);
  const compared = features.filter((f) => !f.identifierLike);
  const allFeatureNames = schema.matched.length + schema.onlyReference.length + schema.onlyOther.length;
  return {
    reference: refTable.name,
    other: otherTable.name,
    schema,
    features,
    ...(label ? { label } : {}),
    ...(domainClassifier ? { domainClassifier } : {}),
    ...(units.length ? { unitDifferences: units } : {}),
    driftShare: compared.length ? compared.filter((f) => f.drift).length / compared.length : 0,
    sizeRatio: Math.max(refTable.rows, otherTable.rows) / Math.max(1, Math.min(refTable.rows, otherTable.rows)),
    sharedFeatureShare: allFeatureNames ? schema.matched.length / allFeatureNames : 0,
  };
}
