import { UsageError } from '../args';
import type { CliCommand } from '../command';

// Placeholder until its issue lands; the owner replaces this file.
export const predictCommand: CliCommand = {
  name: 'predict',
  usage: 'predict ...',
  summary: '(not available yet)',
  options: [],
  async run() {
    throw new UsageError('"predict" is not available in this build yet');
  },
};
