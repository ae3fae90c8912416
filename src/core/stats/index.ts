// The statistics engine's public surface (see docs/statistics.md for every formula).
export { ksTwoSample, type KsMethod, type KsTwoSampleResult } from './ks';
export { kstwoSf } from './kstwo';
export { smirnovSf } from './smirnov';
export { wasserstein1 } from './wasserstein';
export { pooledHistogram, type PooledHistogram } from './binning';
export { jensenShannonDistance, psi, type PsiOptions } from './divergence';
export { chiSquaredHomogeneity, type ChiSquaredResult } from './chi2';
export { chiSquaredSf, regularizedUpperGamma } from './chiSquaredSf';
export { logGamma } from './logGamma';
export { mean, quantileSorted, quantiles, std } from './descriptive';
export {
  DEFAULT_DRIFT_THRESHOLDS,
  driftVerdict,
  treatAsCategorical,
  wassersteinNorm,
  type DriftInput,
  type DriftMethod,
  type DriftThresholds,
  type DriftVerdict,
} from './driftRule';
export { rocAuc } from './rocAuc';
export { binomialCdf, binomialPmf, normalCdf, normalQuantile, normalSf, regularizedBeta, studentTCdf, studentTQuantile, studentTSf } from './distributions';
export { bootstrapDistributions, bootstrapInterval, bootstrapPValue, intervalFromDistribution, jackknife, type BootstrapMethod, type BootstrapOptions, type BootstrapResult, type WeightedStatistic } from './bootstrap';
export { correctedResampledT, holmAdjust, mcnemar, type CorrectedTResult, type McNemarResult } from './pairedTests';
export { weightedAccuracy, weightedMacroF1, weightedR2, weightedRegression } from './weightedMetrics';
