#!/usr/bin/env node
// Process entry of the `dataset-lab` command (bundled to dist/cli.js).
import { main, reportError } from './main';

const io = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
// Set the exit code and let stdout drain, so piping --json output into a file never truncates it.
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportError(err, io);
  },
);
