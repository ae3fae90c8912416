/**
 * Heavy work (parsing CSVs, comparing, profiling, scaffolding) never runs in the extension
 * host: it runs in a forked child on the bundled CLI (dist/cli.js). Cancellation kills the
 * child; a hard timeout bounds every run.
 */
import { fork } from 'node:child_process';
import * as vscode from 'vscode';
import { parseCompareProgress, type CompareProgressEvent } from '../protocol/compareProgress';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly cancelled: boolean;
}

export interface CliRunOptions {
  readonly cwd?: string;
  readonly token?: vscode.CancellationToken;
  /** Each stderr line as it arrives (located problems, notes), progress events excepted. */
  readonly onStderrLine?: (line: string) => void;
  /**
   * Each progress event of `compare --progress-json` as it arrives. Progress lines are taken out
   * of the result's `stderr` (which keeps problems, notes and errors for the caller to read).
   */
  readonly onProgress?: (event: CompareProgressEvent) => void;
  readonly timeoutMs?: number;
  readonly output?: vscode.OutputChannel;
}

export function cliPath(extensionUri: vscode.Uri): string {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath;
}

export function runCli(extensionUri: vscode.Uri, args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    options.output?.appendLine(`$ dataset-lab ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
    const child = fork(cliPath(extensionUri), [...args], {
      cwd: options.cwd,
      silent: true,
      // In desktop VS Code process.execPath is Electron; this makes it behave as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    const out: Buffer[] = [];
    let err = '';
    let pending = '';
    let cancelled = false;
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    const line = (l: string) => {
      const event = parseCompareProgress(l);
      if (event) return options.onProgress?.(event);
      err += `${l}\n`;
      if (l.trim()) options.onStderrLine?.(l);
    };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      pending += s;
      const lines = pending.split(/\r?\n|\r/);
      pending = lines.pop() ?? '';
      for (const l of lines) line(l);
    });
    const timer = setTimeout(() => {
      options.output?.appendLine(`dataset-lab ${args[0]}: timed out, stopping the child process`);
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 10 * 60_000);
    const sub = options.token?.onCancellationRequested(() => {
      cancelled = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 1000).unref();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      sub?.dispose();
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      sub?.dispose();
      if (pending) line(pending);
      if (err.trim()) options.output?.appendLine(err.trimEnd());
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: err, cancelled });
    });
  });
}
