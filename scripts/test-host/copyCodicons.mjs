// Copies the codicon font and stylesheet from @vscode/codicons into dist/codicons, where the
// dashboard webview may load them (dist is one of its localResourceRoots). Nothing remote.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(repo, 'node_modules', '@vscode', 'codicons', 'dist');
const dest = join(repo, 'dist', 'codicons');
if (!existsSync(src)) {
  console.warn('copyCodicons: @vscode/codicons is not installed; the dashboard falls back to text labels');
} else {
  mkdirSync(dest, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(join(src, f), join(dest, f));
}
