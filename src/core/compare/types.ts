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
  /** Numeric: bin edges (length = counts + 1). */
  readonly edges?: readonly number[];
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
  /** The test whose verdict counts: ks | chi2 | wasserstein | jensenshannon. */
  readonly method: string;
  /** The statistic the verdict compared against its threshold. */
  readonly verdictValue: number;
  readonly threshold: number;
  readonly identifierLike: boolean;
  readonly distribution: SharedDistribution;
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
