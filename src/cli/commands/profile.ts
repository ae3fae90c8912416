import { UsageError } from '../args';
import type { CliCommand } from '../command';

export const profileCommand: CliCommand = {
  name: 'profile',
  usage: 'profile ...',
  summary: '(not available yet)',
  options: [],
  async run() {
    throw new UsageError('"profile" is not available in this build yet');
  },
};
