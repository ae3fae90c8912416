/**
 * Settings to `dataset-lab` command-line flags, for the commands that run the CLI in a child
 * process. Reads settings through the two methods of vscode.WorkspaceConfiguration it needs,
 * so it imports no vscode and unit tests hand it plain objects.
 */

/** The part of vscode.WorkspaceConfiguration read here. */
export interface SettingsReader {
  get<T>(key: string): T | undefined;
  inspect<T>(key: string): { readonly globalValue?: T; readonly workspaceValue?: T; readonly workspaceFolderValue?: T } | undefined;
}

/** CLI label arguments: one shared --label, or --labels per file. */
export function labelArgs(labels: readonly string[], n: number): string[] {
  if (!labels.length) return [];
  if (labels.length === 1) return ['--label', labels[0]];
  if (labels.every((l) => l === labels[0]) && labels[0] !== '') return ['--label', labels[0]];
  if (labels.length !== n) throw new Error(`${labels.length} label(s) given for ${n} file(s)`);
  return ['--labels', labels.join(',')];
}

/** Ingest flags from the `datasetLab` section. */
export function ingestArgs(settings: SettingsReader): string[] {
  const out: string[] = [];
  // Only a value the user set: the CLI's own default is the same list.
  const i = settings.inspect<string[]>('missingTokens');
  const missing = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  if (missing && missing.length) out.push('--missing', missing.map((t) => (t === '' ? '""' : t)).join(','));
  return out;
}

/** Drift thresholds from the `datasetLab.compare` section. */
export function compareThresholdArgs(settings: SettingsReader): string[] {
  const out: string[] = [];
  const pairs: [string, string][] = [
    ['pValue', '--p-value'],
    ['smallSampleRows', '--small-sample-rows'],
    ['wassersteinThreshold', '--wasserstein-threshold'],
    ['jensenShannonThreshold', '--js-threshold'],
  ];
  for (const [key, flag] of pairs) {
    const v = settings.get<number>(key);
    if (typeof v === 'number') out.push(flag, String(v));
  }
  if (settings.get<boolean>('domainClassifier') === false) out.push('--no-domain-classifier');
  return out;
}
