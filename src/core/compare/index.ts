/**
 * Comparing datasets: the public surface. compareDatasets (compareDatasets.ts) runs one pair
 * comparison per dataset against the reference (comparePair.ts): schema alignment
 * (../schemaAlign.ts), feature drift (featureDrift.ts), label shift (labelShift.ts) and the
 * domain classifier (domainShift.ts), unit differences (unitDifferences.ts), then the
 * recommendation (../recommend.ts).
 */
export { DEFAULT_THRESHOLDS, compareDatasets, uniqueNames, type CompareOptions, type CompareStep, type ComparisonReport } from './compareDatasets';
export type {
  Chi2Result,
  ColumnSummary,
  DatasetSummary,
  DomainClassifierSummary,
  FeatureComparison,
  KsResult,
  LabelComparison,
  LabelValueCount,
  PairComparison,
  ProblemEntry,
  SharedDistribution,
  UnitDifference,
} from './types';
