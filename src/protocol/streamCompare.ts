/**
 * The streaming mode's comparison document (`dataset-lab compare --stream --json`) as the
 * extension and the dashboard read it: JSON as received, every field the view does not need
 * optional, so documents from older and newer CLIs both read (one pair at the root, as now, or a
 * `comparisons` list of pairs; a recommendation and schema suggestions when the CLI computes
 * them). `streamPairs` gives each pair with its path from the document's root, for bound().
 */

/** A figure with the interval its exact value lies in. */
export interface StreamBounded {
  readonly estimate: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

/** One calendar part's drift test (year, month, dayOfWeek, hour), as the in-memory comparison writes it. */
export interface StreamTimePartDoc {
  readonly part: string;
  readonly chi2?: { readonly statistic: number | null; readonly pvalue: number | null; readonly dof?: number };
  readonly jensenShannon?: number | null;
  readonly drift?: boolean;
  readonly method?: string;
  readonly verdictValue?: number | null;
  readonly threshold?: number;
}

/** A date column both files were read as dates in: the in-memory time comparison, from exact counts. */
export interface StreamTimeDoc {
  readonly referenceRange: readonly [string, string];
  readonly otherRange: readonly [string, string];
  readonly overlap?: number | null;
  readonly otherInReferenceRange?: number | null;
  readonly otherInReferenceRangeBounds?: readonly [number | null, number | null];
  readonly parts?: readonly StreamTimePartDoc[];
  readonly decidedBy?: string;
  readonly exact?: boolean;
  readonly formats?: readonly [string, string];
  readonly dates?: readonly [number, number];
  readonly counts?: readonly { readonly part: string; readonly categories: readonly string[]; readonly reference: readonly number[]; readonly other: readonly number[] }[];
}

export interface StreamFeatureDoc {
  readonly name: string;
  readonly type: string;
  readonly referenceN?: number;
  readonly otherN?: number;
  readonly referenceMissingShare?: number;
  readonly otherMissingShare?: number;
  readonly exact?: boolean;
  readonly ks?: { readonly statistic: StreamBounded; readonly pvalue: number | null; readonly pvalueRange?: readonly [number | null, number | null] };
  readonly wasserstein?: StreamBounded;
  readonly wassersteinNorm?: StreamBounded;
  readonly referenceMean?: number | null;
  readonly otherMean?: number | null;
  readonly psi?: number | null;
  readonly jensenShannon?: number | null;
  readonly chi2?: { readonly statistic: number | null; readonly pvalue: number | null; readonly dof?: number };
  readonly distribution?: { readonly edges: number[]; readonly reference: number[]; readonly other: number[]; readonly maxShareError?: number; readonly time?: boolean };
  readonly categories?: { readonly values: string[]; readonly reference: number[]; readonly other: number[]; readonly referenceUndercount?: number; readonly otherUndercount?: number };
  /** type datetime: the two time ranges, their overlap and the calendar-part drift (newer CLIs). */
  readonly time?: StreamTimeDoc;
  /** Categorical, but the sampled cells read as dates or free text. */
  readonly sampledKind?: string;
  /** Why such a column's dates could not be followed in one pass (it is compared as categories). */
  readonly datesNotFollowed?: string;
  readonly drift?: boolean;
  readonly method?: string;
  readonly verdictValue?: number | null;
  readonly threshold?: number;
  readonly verdictSure?: boolean;
  readonly identifierLike?: boolean;
}

export interface StreamLabelCountDoc {
  readonly value: string;
  readonly count: number;
  readonly share: number;
}

export interface StreamLabelDoc {
  readonly referenceColumn: string;
  readonly otherColumn: string;
  readonly task: string;
  readonly sameColumn: boolean;
  readonly exact?: boolean;
  readonly shared?: readonly string[];
  readonly onlyReference?: readonly string[];
  readonly onlyOther?: readonly string[];
  readonly overlap?: number | null;
  readonly referenceDistribution?: readonly StreamLabelCountDoc[];
  readonly otherDistribution?: readonly StreamLabelCountDoc[];
  readonly referenceUndercount?: number;
  readonly otherUndercount?: number;
  readonly referenceImbalance?: number | null;
  readonly otherImbalance?: number | null;
  readonly jensenShannon?: number | null;
  readonly chi2?: { readonly statistic: number | null; readonly pvalue: number | null };
  readonly ks?: { readonly statistic: StreamBounded; readonly pvalue: number | null; readonly pvalueRange?: readonly [number | null, number | null] };
  readonly wassersteinNorm?: StreamBounded;
  readonly referenceMean?: number | null;
  readonly otherMean?: number | null;
  readonly distribution?: { readonly edges: number[]; readonly reference: number[]; readonly other: number[]; readonly maxShareError?: number };
}

export interface StreamFileDoc {
  readonly file: string;
  readonly name?: string;
  readonly rows: number;
  readonly bytes?: number;
}

export interface StreamRecommendationDoc {
  readonly strategy: string;
  readonly reasons?: readonly string[];
  readonly cautions?: readonly string[];
}

/** A schema suggestion, when the CLI makes them (a column matched to a differently named one). */
export interface StreamSuggestionDoc {
  readonly reference: string;
  readonly other: string;
  readonly reason?: string;
}

/** One reference-vs-other pair. */
export interface StreamPairDoc {
  readonly reference: StreamFileDoc;
  readonly other: StreamFileDoc;
  readonly features: readonly StreamFeatureDoc[];
  readonly onlyInReference?: readonly string[];
  readonly onlyInOther?: readonly string[];
  readonly label?: StreamLabelDoc;
  readonly domainClassifier?: {
    readonly auc: number | null;
    readonly score: number | null;
    readonly folds?: number;
    readonly rowsUsed?: number;
    readonly sampledRows?: readonly [number, number];
    readonly topFeatures?: readonly { readonly name: string; readonly importance: number }[];
  };
  readonly suggestions?: readonly StreamSuggestionDoc[];
  readonly schema?: { readonly suggestions?: readonly StreamSuggestionDoc[] };
  readonly recommendation?: StreamRecommendationDoc;
}

export interface StreamCompareDocument extends Partial<StreamPairDoc> {
  readonly mode: 'streaming';
  /** What is approximate and by how much, in words (the CLI's note). */
  readonly approximate?: string;
  readonly approximation?: { readonly alpha?: number; readonly exactDistinct?: number; readonly categoryCapacity?: number; readonly sampleRows?: number };
  /** More than two files: one pair per other file, against the reference. */
  readonly comparisons?: readonly StreamPairDoc[];
  readonly recommendation?: StreamRecommendationDoc;
}

/** A streamed document, told from the in-memory report by its `mode`. */
export function isStreamCompare(doc: unknown): doc is StreamCompareDocument {
  return typeof doc === 'object' && doc !== null && (doc as { mode?: unknown }).mode === 'streaming';
}

/** Each pair of the document with its path from the root (for bound()): the root itself, or comparisons[i]. */
export function streamPairs(doc: StreamCompareDocument): { readonly pair: StreamPairDoc; readonly path: readonly (string | number)[] }[] {
  if (Array.isArray(doc.comparisons) && doc.comparisons.length) return doc.comparisons.map((pair, i) => ({ pair, path: ['comparisons', i] }));
  if (doc.reference && doc.other && Array.isArray(doc.features)) return [{ pair: doc as StreamPairDoc, path: [] }];
  return [];
}

/** The pair's schema suggestions, wherever the document puts them. */
export function streamSuggestions(pair: StreamPairDoc): { readonly list: readonly StreamSuggestionDoc[]; readonly path: readonly string[] } | undefined {
  if (Array.isArray(pair.suggestions)) return { list: pair.suggestions, path: ['suggestions'] };
  if (Array.isArray(pair.schema?.suggestions)) return { list: pair.schema.suggestions, path: ['schema', 'suggestions'] };
  return undefined;
}
