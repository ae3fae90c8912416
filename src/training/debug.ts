/**
 * DATASET_LAB_DEBUG=1 (the CLI's --debug sets it, and the training child inherits it) puts stack
 * traces on the terminal; otherwise errors are one line and stacks go to the run's error.log.
 */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.DATASET_LAB_DEBUG;
  return v !== undefined && v !== '' && v !== '0';
}
