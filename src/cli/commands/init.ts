import { UsageError } from '../args';
import type { CliCommand } from '../command';

// Placeholder until its issue lands; the owner replaces this file.
export const initCommand: CliCommand = {
  name: 'init',
  usage: 'init ...',
  summary: '(not available yet)',
  options: [],
  async run() {
    throw new UsageError('"init" is not available in this build yet');
  },
};
