import { UsageError } from '../args';
import type { CliCommand } from '../command';

// Placeholder until its issue lands; the owner replaces this file.
export const reportCommand: CliCommand = {
  name: 'report',
  usage: 'report ...',
  summary: '(not available yet)',
  options: [],
  async run() {
    throw new UsageError('"report" is not available in this build yet');
  },
};
