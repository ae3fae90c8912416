/**
 * Input problems found by a command's child process (malformed CSV rows, missing files) become
 * diagnostics, and the notification that reports them offers "Show Problems".
 */
import { isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';

export interface LocatedProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly code?: string;
}

const LOCATED = /^(.+?):(\d+):(\d+): (.*)$/;
const FATAL = /^dataset-lab: (.+?\.(?:csv|tsv|txt|json)): (.*)$/i;

/** Parse the CLI's stderr: `file:line:col: message` lines and one-line fatal errors. */
export function parseCliProblems(stderr: string): LocatedProblem[] {
  const out: LocatedProblem[] = [];
  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw.trim();
    let m = LOCATED.exec(line);
    if (m && !line.startsWith('dataset-lab:')) {
      out.push({ file: m[1], line: Number(m[2]), column: Number(m[3]), message: m[4] });
      continue;
    }
    m = FATAL.exec(line);
    if (m) out.push({ file: m[1], line: 1, column: 1, message: m[2] });
  }
  return out;
}

/** The first error line of the CLI's stderr, without the program prefix. */
export function cliErrorMessage(stderr: string, fallback: string): string {
  const line = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l.startsWith('dataset-lab:'));
  return line ? line.replace(/^dataset-lab:\s*/, '') : fallback;
}

export class InputProblems implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('dataset-lab');

  /** Replace the diagnostics of the given files with these problems. */
  set(problems: readonly LocatedProblem[], cwd: string, files: readonly string[] = []): number {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const f of files) byFile.set(isAbsolute(f) ? f : resolve(cwd, f), []);
    for (const p of problems) {
      const file = isAbsolute(p.file) ? p.file : resolve(cwd, p.file);
      const line = Math.max(0, p.line - 1);
      const col = Math.max(0, p.column - 1);
      const d = new vscode.Diagnostic(new vscode.Range(line, col, line, col + 1), p.message, vscode.DiagnosticSeverity.Error);
      d.source = 'Dataset Lab';
      if (p.code) d.code = p.code;
      const list = byFile.get(file) ?? [];
      list.push(d);
      byFile.set(file, list);
    }
    for (const [file, list] of byFile) this.collection.set(vscode.Uri.file(file), list);
    return problems.length;
  }

  /** Error notification with a "Show Problems" action that opens the Problems panel. */
  async notify(message: string, severity: 'error' | 'warning' = 'error'): Promise<void> {
    const action = 'Show Problems';
    const show = severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const picked = await show(message, action);
    if (picked === action) await vscode.commands.executeCommand('workbench.actions.view.problems');
  }

  dispose(): void {
    this.collection.dispose();
  }
}
