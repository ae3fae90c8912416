// Starts the offline VS Code (code-server) for tests and drives it with Playwright + Debian's
// chromium. Every process runs in its own process group with a private TMPDIR, and every wait
// is bounded, so a hang fails the run instead of blocking CI.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM, installTestHost } from './install.mjs';

export { CHROMIUM };

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function withTimeout(promise, ms, what) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Default user settings for a quiet, deterministic workbench. */
export function baseSettings(extra = {}) {
  return {
    'workbench.startupEditor': 'none',
    'chat.disableAIFeatures': true,
    'security.workspace.trust.enabled': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'git.enabled': false,
    'window.commandCenter': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.colorTheme': 'Default Dark Modern',
    ...extra,
  };
}

/**
 * Start code-server on a free port serving `folder`. Returns { port, url, stop, scratch, log }.
 * `scratch` is a private directory (TMPDIR, user data, extensions) removed by stop().
 */
export async function startCodeServer({ settings = {}, env = {}, restricted = false, log = (s) => process.stderr.write(s) } = {}) {
  const paths = installTestHost();
  const scratch = mkdtempSync(join(process.env.DATASET_LAB_SCRATCH ?? tmpdir(), 'dl-vscode-'));
  const tmp = join(scratch, 'tmp');
  const userData = join(scratch, 'user-data');
  const extensions = join(scratch, 'extensions');
  const home = join(scratch, 'home');
  for (const d of [tmp, join(userData, 'User'), extensions, home]) mkdirSync(d, { recursive: true });
  const trust = restricted
    ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false, 'security.workspace.trust.untrustedFiles': 'open' }
    : {};
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(baseSettings({ ...trust, ...settings }), null, 2));
  const config = join(scratch, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  const port = await freePort();
  const args = [
    paths.codeServerEntry,
    '--config', config,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userData,
    '--extensions-dir', extensions,
    '--disable-telemetry',
    '--disable-update-check',
    // Restricted Mode tests keep workspace trust on (and the folder untrusted).
    ...(restricted ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--vscode-option', 'enable-smoke-test-driver',
    '--vscode-option', 'skip-welcome',
  ];
  const serverLog = join(scratch, 'code-server.log');
  const out = createWriteStream(serverLog);
  // detached: the child calls setsid(), so stop() can kill the whole group (extension host,
  // file watchers, forked training children) at once.
  const child = spawn(paths.node, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...env,
      TMPDIR: tmp,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      // code-server must not pick up the caller's VS Code IPC hooks.
      VSCODE_IPC_HOOK_CLI: '',
      // No extension gallery offline: an empty service URL stops its look-ups.
      EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: '' }),
    },
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  if (process.env.DATASET_LAB_TEST_VERBOSE) {
    child.stdout.on('data', (d) => log(`[code-server] ${d}`));
    child.stderr.on('data', (d) => log(`[code-server] ${d}`));
  }
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during start; see ${serverLog}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      killGroup(child.pid);
      throw new Error(`code-server did not become healthy within 60 s; see ${serverLog}`);
    }
    await sleep(200);
  }
  let stopped = false;
  return {
    port,
    url,
    scratch,
    serverLog,
    pid: child.pid,
    async stop({ keep = false } = {}) {
      if (stopped) return;
      stopped = true;
      killGroup(child.pid, 'SIGTERM');
      const t = Date.now();
      while (!exited && Date.now() - t < 5000) await sleep(100);
      killGroup(child.pid, 'SIGKILL');
      if (!keep) rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

export function killGroup(pid, signal = 'SIGKILL') {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

export function remoteUri(port, absPath) {
  return `vscode-remote://127.0.0.1:${port}${absPath}`;
}

/** The workbench URL opening `folder`, with smoke-test-driver payload entries. */
export function workbenchUrl(server, folder, payload) {
  const q = new URLSearchParams({ folder: resolve(folder) });
  if (payload) q.set('payload', JSON.stringify(payload));
  return `${server.url}/?${q.toString()}`;
}

export async function launchBrowser(scratch, { colorScheme = 'dark', viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run node scripts/test-host/install.mjs (installs Debian's chromium as root) or apt-get install chromium`);
  const profile = join(scratch, 'chromium-profile');
  mkdirSync(profile, { recursive: true });
  const context = await withTimeout(
    chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport,
      colorScheme,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
      env: { ...process.env, TMPDIR: join(scratch, 'tmp'), HOME: join(scratch, 'home') },
    }),
    60_000,
    'launching chromium',
  );
  return context;
}
