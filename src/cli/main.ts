// The `dataset-lab` command line: one dispatcher over the sub-commands in ./commands.
// The process entry is ./bin.ts; this module only exports, so tests can import it.
import { FatalInputError } from '../core/table';
import { formatOptions, UsageError } from './args';
import { EXIT_BAD_INPUT, EXIT_FAILURE, type CliCommand, type CliIO } from './command';
import { displayText, terminalText } from './format';
import { debugEnabled } from '../training/debug';
import { compareCommand } from './commands/compare';
import { exportCommand } from './commands/export';
import { initCommand } from './commands/init';
import { predictCommand } from './commands/predict';
import { profileCommand } from './commands/profile';
import { reportCommand } from './commands/report';
import { runCommand } from './commands/run';

export const commands: readonly CliCommand[] = [
  profileCommand,
  compareCommand,
  initCommand,
  runCommand,
  predictCommand,
  reportCommand,
  exportCommand,
];

function usage(): string {
  const lines = commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
  return `Usage: dataset-lab <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "dataset-lab <command> --help" for a command's options; --debug (or DATASET_LAB_DEBUG=1) shows stack traces of internal errors.\n`;
}

export async function main(argvIn: readonly string[], io: CliIO): Promise<number> {
  // --debug anywhere: stack traces for internal errors, here and in the training child.
  const argv = argvIn.filter((a) => a !== '--debug');
  if (argv.length !== argvIn.length) process.env.DATASET_LAB_DEBUG = '1';
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name ? 0 : EXIT_BAD_INPUT;
  }
  if (name === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`dataset-lab: unknown command "${displayText(name)}"\n\n${usage()}`);
    return EXIT_BAD_INPUT;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`Usage: dataset-lab ${command.usage}\n\n${command.summary}\n\nOptions:\n${formatOptions(command.options)}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

/** Expected failures print one line and no stack; anything else is a bug and says so. */
export function reportError(err: unknown, io: CliIO): number {
  // Messages quote file names, column names and cells: shown with their control characters escaped.
  if (err instanceof UsageError) {
    io.stderr.write(`dataset-lab: ${terminalText(err.message)}\n`);
    return EXIT_BAD_INPUT;
  }
  if (err instanceof FatalInputError) {
    io.stderr.write(`dataset-lab: ${terminalText(err.message)}\n`);
    return EXIT_BAD_INPUT;
  }
  if (err instanceof Error && (err as { userFacing?: boolean }).userFacing) {
    io.stderr.write(`dataset-lab: ${terminalText(err.message)}\n`);
    return (err as { exitCode?: number }).exitCode ?? EXIT_FAILURE;
  }
  const first = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).split('\n')[0];
  const stack = debugEnabled() && err instanceof Error && err.stack ? `\n${err.stack}` : ' (run with --debug for the stack trace)';
  io.stderr.write(`dataset-lab: internal error (please report it): ${terminalText(first + stack)}\n`);
  return EXIT_FAILURE;
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';
