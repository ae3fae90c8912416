// One bundle per process entry point into dist/, and (with --tests) one bundle per unit test
// file into out/. Type checking is a separate `tsc --noEmit` step (npm run typecheck).
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const args = new Set(process.argv.slice(2));
const watch = args.has('--watch');
const production = args.has('--production');

/** Node-side entries. An entry is built only once its source exists, so parts can land one by one. */
const nodeEntries = [
  { in: 'src/cli/bin.ts', out: 'cli' },
  { in: 'src/extension/extension.ts', out: 'extension' },
  { in: 'src/server/server.ts', out: 'server' },
  { in: 'src/training/trainer.ts', out: 'trainer' },
  // Worker threads of data-parallel training, found next to the bundle that starts them.
  { in: 'src/training/parallel/gradientWorker.ts', out: 'gradientWorker' },
].filter((e) => existsSync(e.in));

// The copy of @huggingface/transformers on ONNX Runtime's WebAssembly build that the packaged
// extension carries (src/training/text/transformersRuntime.ts loads it when onnxruntime-node does not load).
const transformersWasmEntry = { in: 'src/training/text/wasm/transformersWasm.ts', out: 'transformers-wasm' };

const webviewEntries = [{ in: 'webview/main.ts', out: 'webview' }].filter((e) => existsSync(e.in));

// Loaded at run time when present: tfjs-node is optional (its install fails offline),
// vscode is provided by the extension host, and @huggingface/transformers (pretrained text
// encoders: ONNX Runtime's native binaries and sharp cannot be bundled) is required from
// node_modules when an experiment asks for a pretrained encoder.
const external = ['vscode', '@tensorflow/tfjs-node', '@huggingface/transformers'];

/**
 * Bundles @huggingface/transformers from its ES sources with ONNX Runtime Web (its Node build) in
 * place of onnxruntime-node: the library's backends/onnx-node.js (and its browser import of
 * onnxruntime-web/webgpu) become src/training/text/wasm/ortWasmBinding.ts, sharp (native, images
 * only) a stub, and every onnxruntime-common import the one copy onnxruntime-web was built with
 * (two copies would make two Tensor classes). The ESM build of ORT Web is avoided: it reads
 * import.meta.url, which a CommonJS bundle does not have.
 */
function transformersWasmPlugin() {
  // Package folders as Node finds them from `from` (their package.json is not in their exports), links resolved as esbuild resolves them.
  const packageDir = (name, from) => {
    for (let dir = from; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
      if (dirname(dir) === dir) throw new Error(`${name} not found from ${from} (npm ci)`);
    }
  };
  const transformers = packageDir('@huggingface/transformers', resolve('.'));
  const ortWeb = packageDir('onnxruntime-web', transformers);
  const ortCommon = join(packageDir('onnxruntime-common', ortWeb), 'dist', 'cjs', 'index.js');
  const binding = resolve('src/training/text/wasm/ortWasmBinding.ts');
  return {
    name: 'transformers-wasm',
    setup(build) {
      // A later version of the library that no longer imports ./onnx-node.js would bundle a require of onnxruntime-node: refuse to build.
      let replaced = false;
      build.onStart(() => void (replaced = false));
      build.onEnd((result) => {
        if (!replaced && result.errors.length === 0) result.errors.push({ text: `transformers-wasm: ${transformers}/src no longer imports ./onnx-node.js; update transformersWasmPlugin in esbuild.mjs` });
      });
      build.onResolve({ filter: /^@huggingface\/transformers$/ }, () => ({ path: join(transformers, 'src', 'transformers.js') }));
      build.onResolve({ filter: /^\.\/onnx-node\.js$/ }, (a) => (a.importer.startsWith(transformers) ? ((replaced = true), { path: binding }) : undefined));
      build.onResolve({ filter: /^onnxruntime-web(\/webgpu)?$/ }, (a) => ({ path: a.importer === binding ? join(ortWeb, 'dist', 'ort.node.min.js') : binding }));
      build.onResolve({ filter: /^onnxruntime-common$/ }, () => ({ path: ortCommon }));
      build.onResolve({ filter: /^sharp$/ }, () => ({ path: resolve('src/training/text/wasm/noSharp.ts') }));
    },
  };
}

const common = {
  bundle: true,
  // `dataset-lab --version` prints the package's version (src/cli/main.ts).
  define: { __VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

function walk(dir, pred, acc = []) {
  if (!existsSync(dir)) return acc;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, pred, acc);
    else if (pred(p)) acc.push(p);
  }
  return acc;
}

const builds = [];
if (args.has('--tests')) {
  const tests = walk('test/unit', (p) => p.endsWith('.test.ts'));
  builds.push({
    ...common,
    // The gradient worker too: out/gradientWorker.js, which the training code finds from out/test/unit/... .
    entryPoints: [...tests.map((t) => ({ in: t, out: relative('.', t).replace(/\.ts$/, '') })), ...nodeEntries.filter((e) => e.out === 'gradientWorker')],
    outdir: 'out',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external,
  });
  const integration = walk('test/integration', (p) => p.endsWith('.ts') && !p.includes('launch'));
  if (integration.length) {
    builds.push({
      ...common,
      entryPoints: integration.map((t) => ({ in: t, out: relative('.', t).replace(/\.ts$/, '') })),
      outdir: 'out',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: [...external, 'mocha'],
    });
  }
} else {
  // One build per entry, so a broken entry never stops the others from being written.
  for (const entry of nodeEntries) {
    builds.push({
      ...common,
      entryPoints: [entry],
      outdir: 'dist',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external,
    });
  }
  if (existsSync(transformersWasmEntry.in)) {
    builds.push({
      ...common,
      entryPoints: [transformersWasmEntry],
      outdir: 'dist',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      plugins: [transformersWasmPlugin()],
    });
  }
  if (webviewEntries.length) {
    builds.push({
      ...common,
      entryPoints: webviewEntries,
      outdir: 'dist',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
    });
  }
}

// Run-time assets copied next to the bundles: the training child loads TensorFlow.js's WASM
// backend binaries and ONNX Runtime's WebAssembly build from its own folder; the dashboard loads the codicon font from dist/codicons
// (dist is one of its localResourceRoots; nothing remote).
function copyAssets(fromDir, files, toDir) {
  mkdirSync(toDir, { recursive: true });
  for (const f of files) if (existsSync(join(fromDir, f))) copyFileSync(join(fromDir, f), join(toDir, f));
}
if (!args.has('--tests')) {
  if (nodeEntries.some((e) => e.out === 'trainer')) {
    copyAssets('node_modules/@tensorflow/tfjs-backend-wasm/dist', ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'], 'dist');
  }
  // ONNX Runtime's WebAssembly build and its loader (an ES module), read by dist/transformers-wasm.js from its own folder.
  if (existsSync(transformersWasmEntry.in)) copyAssets('node_modules/onnxruntime-web/dist', ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'], 'dist');
  if (webviewEntries.length) copyAssets('node_modules/@vscode/codicons/dist', ['codicon.css', 'codicon.ttf'], 'dist/codicons');
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  const results = await Promise.allSettled(builds.map((b) => esbuild.build(b)));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) {
    for (const f of failed) console.error(f.reason?.message ?? f.reason);
    process.exit(1);
  }
}
