import { UsageError } from '../args';
import type { CliCommand } from '../command';

export const compareCommand: CliCommand = {
  name: 'compare',
  usage: 'compare ...',
  summary: '(not available yet)',
  options: [],
  async run() {
    throw new UsageError('"compare" is not available in this build yet');
  },
};
