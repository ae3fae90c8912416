/**
 * The comparison report's parts: per-dataset summaries, per-feature drift, label comparison,
 * domain classifier, and one pair's comparison. JSON-ready (the CLI's `compare --json` prints
 * them as they are; docs/compare.md describes every field).
 */
import type { SchemaAlignment } from '../schemaAlign';
import type { ColumnType } from '../table';
import type { UnitDifference } from './unitDifferences';

export type { UnitDifference };

export interface ColumnSummary {
  readonly name: string;
  readonly type: ColumnType;
  readonly missing: number;
  readonly typeErrors: number;
  readonly distinct: number;
  /** Share of non-missing rows whose value is unique to the row: an identifier-like column. */
  readonly identifierLike: boolean;
}

export interface DatasetSummary {
  readonly name: string;
  readonly path: string;
  readonly rows: number;
  readonly label?: string;
  readonly columns: readonly ColumnSummary[];
}

export interface KsResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly method: 'exact' | 'asymp';
}

export interface Chi2Result {
  readonly statistic: number;
  readonly pvalue: number;
  readonly dof: number;
}

/** Both datasets' counts over shared bins or categories, ready to chart. */
export interface SharedDistribution {
  /** Numeric: bin edges (length = counts + 1); for datetime features, milliseconds since the epoch. */
  readonly edges?: readonly number[];
  /** The edges are instants (a datetime feature): chart them as dates. */
  readonly time?: boolean;
  /** Categorical: category values (same length as the counts). */
  readonly categories?: readonly string[];
  readonly reference: readonly number[];
  readonly other: readonly number[];
}

export interface FeatureComparison {
  /** Column name in the reference dataset. */
  readonly name: string;
  /** Column name in the other dataset, when it differs (matched after normalising). */
  readonly otherName?: string;
  readonly type: ColumnType;
  readonly referenceN: number;
  readonly otherN: number;
  readonly referenceMissingShare: number;
  readonly otherMissingShare: number;
  readonly ks?: KsResult;
  readonly wasserstein?: number;
  readonly wassersteinNorm?: number;
  readonly referenceMean?: number;
  readonly otherMean?: number;
  readonly psi: number;
  readonly jensenShannon: number;
  readonly chi2?: Chi2Result;
  readonly onlyReferenceCategories?: readonly string[];
  readonly onlyOtherCategories?: readonly string[];
  readonly drift: boolean;
  /** The test whose verdict counts: ks | chi2 | wasserstein | jensenshannon (for a datetime feature, of the part in `time.decidedBy`; for a text feature, on lengths or, jensenshannon, on tokens). */
  readonly method: string;
  /** The statistic the verdict compared against its threshold. */
  readonly verdictValue: number;
  readonly threshold: number;
  readonly identifierLike: boolean;
  readonly distribution: SharedDistribution;
  /** Datetime features: the two time ranges and the drift of calendar parts. */
  readonly time?: TimeComparison;
  /** Text features: lengths, vocabularies and out-of-vocabulary rates. */
  readonly text?: TextComparison;
}

/** One calendar part (year, month, day of week, hour) of a datetime feature, compared as categories. */
export interface TimePartDrift {
  readonly part: 'year' | 'month' | 'dayOfWeek' | 'hour';
  readonly chi2: Chi2Result;
  readonly jensenShannon: number;
  readonly drift: boolean;
  /** chi2 | jensenshannon, by the drift rule's sample size. */
  readonly method: string;
  readonly verdictValue: number;
  readonly threshold: number;
}

export interface TimeComparison {
  /** Earliest and latest value of each side (ISO 8601, as the profile prints them). */
  readonly referenceRange: readonly [string, string];
  readonly otherRange: readonly [string, string];
  /** Length of the two ranges' intersection / length of their union: 1 = the same period, 0 = disjoint. */
  readonly overlap: number;
  /** Share of the other dataset's values inside the reference's range. */
  readonly otherInReferenceRange: number;
  /** Drift of each calendar part, in each cell's wall time (hour only when both sides have times). */
  readonly parts: readonly TimePartDrift[];
  /** The part whose test decided the feature's verdict. */
  readonly decidedBy: TimePartDrift['part'];
}

export interface TextComparison {
  /** Characters per cell: mean and median of each side. */
  readonly referenceLength: { readonly mean: number; readonly median: number };
  readonly otherLength: { readonly mean: number; readonly median: number };
  /** KS, Wasserstein / reference std and Jensen-Shannon distance between the length distributions. */
  readonly lengthKs?: KsResult;
  readonly lengthWassersteinNorm: number;
  readonly lengthJensenShannon: number;
  /** Both sides' lengths over 30 shared bins (numpy.histogram_bin_edges of the pooled lengths): the chart. */
  readonly lengthDistribution?: SharedDistribution;
  /** How many most frequent tokens make each side's vocabulary for the Jaccard index. */
  readonly topK: number;
  /** |A n B| / |A u B| of the two top-k vocabularies. */
  readonly vocabularyJaccard: number;
  readonly referenceVocabulary: number;
  readonly otherVocabulary: number;
  /** Share of the other dataset's tokens that never occur in the reference (its whole vocabulary). */
  readonly otherOovRate: number;
  /** Share of the reference's tokens that never occur in the other dataset. */
  readonly referenceOovRate: number;
  /** Jensen-Shannon distance between the token distributions (both top-k vocabularies, the rest pooled). */
  readonly tokenJensenShannon: number;
  /** The most frequent tokens of each side with their shares. */
  readonly referenceTopTokens: readonly { readonly token: string; readonly share: number }[];
  readonly otherTopTokens: readonly { readonly token: string; readonly share: number }[];
}

export interface LabelValueCount {
  readonly value: string;
  readonly count: number;
  readonly share: number;
}

export interface LabelComparison {
  readonly referenceColumn: string;
  readonly otherColumn: string;
  readonly task: 'classification' | 'regression';
  /**
   * The same column up to case, spaces and punctuation. When false the labels are different
   * targets: shared, onlyReference and onlyOther are empty, overlap is 0 and no statistic
   * compares them (only each side's own distribution is given).
   */
  readonly sameColumn: boolean;
  readonly shared: readonly string[];
  readonly onlyReference: readonly string[];
  readonly onlyOther: readonly string[];
  /** |shared| / |union| of label values (classification). */
  readonly overlap: number;
  readonly referenceDistribution: readonly LabelValueCount[];
  readonly otherDistribution: readonly LabelValueCount[];
  /** Largest class count / smallest class count, per dataset (classification). */
  readonly referenceImbalance: number;
  readonly otherImbalance: number;
  readonly jensenShannon?: number;
  readonly chi2?: Chi2Result;
  readonly ks?: KsResult;
  readonly wassersteinNorm?: number;
  /** Regression: each side's mean and both distributions over shared bins, ready to overlay. */
  readonly referenceMean?: number;
  readonly otherMean?: number;
  readonly distribution?: SharedDistribution;
}

export interface DomainClassifierSummary {
  readonly auc: number;
  readonly score: number;
  readonly folds: number;
  readonly rowsUsed: number;
  readonly features: readonly string[];
  /** Features ordered by how much they separate the datasets. */
  readonly topFeatures: readonly { readonly name: string; readonly importance: number }[];
}

export interface PairComparison {
  readonly reference: string;
  readonly other: string;
  readonly schema: SchemaAlignment;
  readonly features: readonly FeatureComparison[];
  readonly label?: LabelComparison;
  readonly domainClassifier?: DomainClassifierSummary;
  /** Columns holding the same quantity in other units (a constant factor between them); absent when none. */
  readonly unitDifferences?: readonly UnitDifference[];
  /** Share of compared (non-identifier) features that drifted. */
  readonly driftShare: number;
  /** Rows of the larger dataset / rows of the smaller. */
  readonly sizeRatio: number;
  /** Matched feature columns / all distinct feature columns of the pair. */
  readonly sharedFeatureShare: number;
}

export interface ProblemEntry {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly message: string;
}
