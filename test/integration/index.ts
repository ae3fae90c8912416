// The standard @vscode/test-electron entry: the extension host requires this file and calls
// run(); it resolves when mocha passes and rejects when a test fails.
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
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.test.js')) continue;
    if ((f === 'restricted.test.js') === restricted) mocha.addFile(join(dir, f));
  }
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    } catch (e) {
      reject(e);
    }
  });
}
