import { UsageError } from '../args';
import type { CliCommand } from '../command';

// Placeholder until its issue lands; the owner replaces this file.
export const runCommand: CliCommand = {
  name: 'run',
  usage: 'run ...',
  summary: '(not available yet)',
  options: [],
  async run() {
    throw new UsageError('"run" is not available in this build yet');
  },
};
