/**
 * Work-done progress of one large document's check (`window/workDoneProgress/create`, then
 * `$/progress` begin / report / end), which VS Code shows in the status bar.
 */
import type { Connection, WorkDoneProgressServerReporter } from 'vscode-languageserver/node';

/**
 * Creating the progress is a round trip to the client; the check does not wait for it: reports
 * made meanwhile are remembered and the latest is sent once the progress exists.
 */
export class CheckProgress {
  private reporter: WorkDoneProgressServerReporter | undefined;
  private ended = false;
  private percentage = 0;
  private message = '';

  constructor(connection: Connection, title: string) {
    connection.window.createWorkDoneProgress().then(
      (reporter) => {
        if (this.ended) return reporter.done();
        reporter.begin(title, this.percentage, this.message || undefined, false);
        this.reporter = reporter;
      },
      () => undefined,
    );
  }

  report(percentage: number, message: string): void {
    if (this.ended) return;
    const p = Math.min(100, Math.floor(percentage));
    if (p === this.percentage && message === this.message) return;
    this.percentage = p;
    this.message = message;
    this.reporter?.report(p, message);
  }

  done(): void {
    if (this.ended) return;
    this.ended = true;
    this.reporter?.done();
  }
}
