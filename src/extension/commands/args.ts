/**
 * How commands receive their files: an argument object (tests, other extensions, the
 * dashboard), the explorer's clicked file and multi-selection, or else a picker.
 */
import * as vscode from 'vscode';
import { isDataFilePath } from '../../protocol/files';
import { explorerSelection, pickDataFiles } from '../pickers';

export interface CompareArgs {
  readonly files?: readonly vscode.Uri[];
  /** One label per file ('' = none), or one shared label. */
  readonly labels?: readonly string[];
}

export interface ScaffoldArgs extends CompareArgs {
  readonly output?: vscode.Uri;
  /** Overwrite an existing file without asking (tests); otherwise a modal dialog asks. */
  readonly overwrite?: boolean;
  readonly open?: boolean;
}

export function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

export function isArgsObject(a: unknown): a is CompareArgs {
  return a !== null && typeof a === 'object' && !(a instanceof vscode.Uri) && 'files' in a;
}

/** At least `min` data files from the arguments, the explorer selection, or a picker (undefined when cancelled). */
export async function resolveFiles(state: vscode.Memento, a: unknown, b: unknown, min: number, title: string, max?: number): Promise<{ files: vscode.Uri[]; labels?: string[] } | undefined> {
  if (isArgsObject(a)) return { files: [...(a.files ?? [])], ...(a.labels ? { labels: [...a.labels] } : {}) };
  const selected = explorerSelection(a, b).filter((u) => isDataFilePath(u.fsPath));
  if (selected.length >= min) return { files: selected };
  // Too few selected (one file, for a command that needs two): the picker starts from them.
  const picked = await pickDataFiles(state, { min, title, ...(max !== undefined ? { max } : {}), ...(selected.length ? { initial: selected } : {}) });
  return picked ? { files: picked } : undefined;
}
