/**
 * Input problems found by a command's child process (malformed CSV rows, missing files; read
 * from its stderr by cliProblems.ts) become diagnostics, and the notification that reports them
 * offers "Show Problems".
 */
import { isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { LocatedProblem } from './cliProblems';

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
