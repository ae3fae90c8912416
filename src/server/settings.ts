/**
 * Server settings: the `datasetLab` configuration section (pulled with workspace/configuration
 * when the client supports it) or the same shape in `initializationOptions`.
 */
import { DiagnosticSeverity } from 'vscode-languageserver';
import { DEFAULT_MISSING_TOKENS } from '../core/ingest';

export type SeverityName = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** Every diagnostic code the server emits, with its default severity. Documented in docs/diagnostics.md. */
export const DEFAULT_SEVERITY = {
  // structure
  'ragged-row': 'error',
  'unterminated-quote': 'error',
  'duplicate-header': 'error',
  'empty-header': 'warning',
  encoding: 'error',
  // types
  'type-mismatch': 'warning',
  'missing-spelling': 'warning',
  'mixed-date-formats': 'warning',
  // quality
  'constant-column': 'information',
  'empty-column': 'warning',
  'high-missing': 'warning',
  'duplicate-row': 'information',
  outlier: 'information',
  'class-imbalance': 'warning',
  'missing-label': 'warning',
  // across datasets (header cells of a file an experiment pairs with others)
  'partner-missing-column': 'warning',
  'partner-missing-category': 'information',
  'partner-missing-label': 'warning',
  drift: 'information',
  // the cap
  'too-many-problems': 'information',
  // experiment files
  'experiment-json': 'error',
  'experiment-schema': 'error',
  'experiment-missing-file': 'error',
  'experiment-outside-workspace': 'error',
  'experiment-unknown-column': 'error',
  'experiment-transform': 'error',
  'experiment-label-type': 'warning',
  'experiment-unreadable-file': 'warning',
  'experiment-text-model': 'error',
  'experiment-text-model-not-cached': 'hint',
} as const satisfies Record<string, SeverityName>;

export type DiagnosticCode = keyof typeof DEFAULT_SEVERITY;

export interface DiagnosticsSettings {
  enable: boolean;
  /** Diagnostics per file before the rest is summarised in one `too-many-problems` diagnostic. */
  maxProblems: number;
  /** Severity per code; "off" hides the code. */
  severity: Partial<Record<DiagnosticCode, SeverityName>>;
  /** |robust z| above which a numeric cell is an outlier. */
  outlierThreshold: number;
  /** Share of missing cells above which a column is reported. */
  missingShareThreshold: number;
  /** Largest class / smallest class above which a label column is reported. */
  imbalanceRatio: number;
  /** Share of non-numeric cells a numeric column may hold (same rule as the ingest). */
  numericTolerance: number;
  /** Columns treated as labels when no experiment names one (case-insensitive). */
  labelColumns: string[];
  /** Extra wait before re-checking after an edit (ms); the server also waits longer on files whose check is slow. */
  debounceMs: number;
  /** Cross-dataset checks through experiment files. */
  crossDataset: boolean;
}

export interface ServerSettings {
  missingTokens: string[];
  diagnostics: DiagnosticsSettings;
  /** `datasetLab.text.allowModelDownload`: a pretrained model id missing from the local cache may be downloaded by a run. */
  allowModelDownload: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  missingTokens: [...DEFAULT_MISSING_TOKENS],
  diagnostics: {
    enable: true,
    maxProblems: 1000,
    severity: {},
    outlierThreshold: 3.5,
    missingShareThreshold: 0.5,
    imbalanceRatio: 10,
    numericTolerance: 0.05,
    labelColumns: ['label', 'target', 'class'],
    debounceMs: 0,
    crossDataset: true,
  },
  allowModelDownload: false,
};

/** Merges a partial settings object (from the client) over the defaults, ignoring ill-typed values. */
export function resolveSettings(raw: unknown): ServerSettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const d = (r.diagnostics && typeof r.diagnostics === 'object' ? r.diagnostics : {}) as Record<string, unknown>;
  const text = (r.text && typeof r.text === 'object' ? r.text : {}) as Record<string, unknown>;
  const def = DEFAULT_SETTINGS.diagnostics;
  const num = (v: unknown, fallback: number, min: number) => (typeof v === 'number' && Number.isFinite(v) && v >= min ? v : fallback);
  const strings = (v: unknown, fallback: string[]) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : fallback);
  const severity: Partial<Record<DiagnosticCode, SeverityName>> = {};
  if (d.severity && typeof d.severity === 'object') {
    for (const [k, v] of Object.entries(d.severity as Record<string, unknown>)) {
      if (k in DEFAULT_SEVERITY && typeof v === 'string' && ['error', 'warning', 'information', 'hint', 'off'].includes(v)) {
        severity[k as DiagnosticCode] = v as SeverityName;
      }
    }
  }
  return {
    missingTokens: strings(r.missingTokens, DEFAULT_SETTINGS.missingTokens),
    diagnostics: {
      enable: typeof d.enable === 'boolean' ? d.enable : def.enable,
      maxProblems: Math.floor(num(d.maxProblems, def.maxProblems, 1)),
      severity,
      outlierThreshold: num(d.outlierThreshold, def.outlierThreshold, 0),
      missingShareThreshold: num(d.missingShareThreshold, def.missingShareThreshold, 0),
      imbalanceRatio: num(d.imbalanceRatio, def.imbalanceRatio, 1),
      numericTolerance: num(d.numericTolerance, def.numericTolerance, 0),
      labelColumns: strings(d.labelColumns, def.labelColumns),
      debounceMs: num(d.debounceMs, def.debounceMs, 0),
      crossDataset: typeof d.crossDataset === 'boolean' ? d.crossDataset : def.crossDataset,
    },
    allowModelDownload: typeof text.allowModelDownload === 'boolean' ? text.allowModelDownload : DEFAULT_SETTINGS.allowModelDownload,
  };
}

export function severityOf(settings: ServerSettings, code: DiagnosticCode): DiagnosticSeverity | undefined {
  const name = settings.diagnostics.severity[code] ?? DEFAULT_SEVERITY[code];
  switch (name) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'information':
      return DiagnosticSeverity.Information;
    case 'hint':
      return DiagnosticSeverity.Hint;
    default:
      return undefined;
  }
}
