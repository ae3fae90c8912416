import type { OptionSpec } from './args';
import type { CompareProgressWriter } from './progress';

/** Where a command writes: injected so tests can capture output without spawning. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly cwd: string;
  /** compare --progress-json: where the reading and comparing stages are reported. */
  readonly compareProgress?: CompareProgressWriter;
}

/** One CLI sub-command. `run` returns the process exit code. */
export interface CliCommand {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

/** Exit codes: 0 ok, 1 the work failed (e.g. training diverged), 2 bad input or usage. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;
