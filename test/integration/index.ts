// The standard @vscode/test-electron entry: the extension host requires this file and calls
// run(); it resolves when mocha passes and rejects when a test fails, or when no test ran at all
// (no compiled test files, or a DATASET_LAB_TEST_GREP that matches none): a suite that finds
// nothing to run has not passed.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.DATASET_LAB_TEST_GREP;
  if (grep) mocha.grep(grep);
  const dir = __dirname;
  // Restricted Mode runs in its own (untrusted) window: that file alone there, never elsewhere.
  const restricted = process.env.DATASET_LAB_RESTRICTED === '1';
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.js') && (f === 'restricted.test.js') === restricted)
    .sort();
  const window = restricted ? 'the Restricted Mode window' : 'the trusted window';
  if (files.length === 0) {
    return Promise.reject(new Error(`no test files for ${window} in ${dir} (${restricted ? 'restricted.test.js' : '*.test.js'}): build them with "node esbuild.mjs --tests"`));
  }
  for (const f of files) mocha.addFile(join(dir, f));
  return new Promise((resolve, reject) => {
    try {
      let ran = 0;
      const runner = mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else if (ran === 0)
          reject(new Error(`no test ran in ${window}: ${grep ? `DATASET_LAB_TEST_GREP "${grep}" matches none of the tests in` : 'no tests defined in'} ${files.join(', ')}`));
        else resolve();
      });
      runner.on('pass', () => ran++).on('fail', () => ran++);
    } catch (e) {
      reject(e);
    }
  });
}
