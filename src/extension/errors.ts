/**
 * How failures reach the user, in one place: a command that threw, a CLI run that failed (its
 * located problems become diagnostics), a training run that failed. Details go to the output
 * channel; notifications carry one line and an action.
 */
import * as vscode from 'vscode';
import { cliErrorMessage, parseCliProblems } from './cliProblems';
import type { InputProblems } from './inputProblems';

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A command that threw: the stack in the output channel, the message in a notification. */
export function reportCommandError(output: vscode.OutputChannel, id: string, e: unknown): void {
  output.appendLine(`[${id}] ${e instanceof Error && e.stack ? e.stack : errorMessage(e)}`);
  void vscode.window.showErrorMessage(`Dataset Lab: ${errorMessage(e)}`);
}

/** A failed CLI run: located problems become diagnostics, the notification offers Show Problems. */
export function reportCliFailure(problems: InputProblems, what: string, stderr: string, files: readonly string[], cwd: string): void {
  problems.set(parseCliProblems(stderr), cwd, files);
  const message = cliErrorMessage(stderr, `${what} failed; see the Dataset Lab output.`);
  // Not awaited: the command finishes while the notification waits for the user.
  void problems.notify(`Dataset Lab: ${what} failed: ${message}`);
}

/** A training run that failed: the notification offers Show Output. */
export function reportTrainingFailure(output: vscode.OutputChannel, error: string | undefined): void {
  const show = 'Show Output';
  void vscode.window.showErrorMessage(`Dataset Lab: training failed: ${error ?? 'unknown error'}`, show).then((p) => {
    if (p === show) output.show(true);
  });
}
