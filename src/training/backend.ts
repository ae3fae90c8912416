/**
 * TensorFlow.js backend selection: native tfjs-node when it loads, else the WASM backend
 * (SIMD) with its .wasm files next to this bundle or in node_modules, else plain JS `cpu`.
 */
import * as tfjs from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type TF = typeof tfjs;
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** A requested backend cannot start (reported to the user without a stack trace). */
export class BackendError extends Error {
  override name = 'BackendError';
}

let current: { tf: TF; backend: BackendName; version: string } | undefined;

function wasmDir(): string | undefined {
  const candidates = [__dirname];
  try {
    candidates.push(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // not resolvable from here (e.g. a packaged extension): rely on the copy next to the bundle
  }
  return candidates.find((d) => existsSync(join(d, 'tfjs-backend-wasm-simd.wasm')));
}

/**
 * Initialises TensorFlow.js once per process. `preferred` (or DATASET_LAB_BACKEND) forces one
 * backend; otherwise the fastest that loads wins.
 */
export async function initBackend(preferred?: string): Promise<{ tf: TF; backend: BackendName; version: string }> {
  if (current) return current;
  const want = (preferred ?? process.env.DATASET_LAB_BACKEND ?? '') as BackendName | '';
  if (want === '' || want === 'tensorflow') {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const native = require('@tensorflow/tfjs-node') as TF;
      await native.ready();
      current = { tf: native, backend: 'tensorflow', version: native.version.tfjs ?? native.version_core };
      return current;
    } catch (e) {
      if (want === 'tensorflow') throw new BackendError(`the tensorflow backend was requested but @tensorflow/tfjs-node does not load: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (want === '' || want === 'wasm') {
    const dir = wasmDir();
    if (dir) {
      setWasmPaths(dir + '/');
      try {
        if (await tfjs.setBackend('wasm')) {
          await tfjs.ready();
          current = { tf: tfjs, backend: 'wasm', version: tfjs.version_core };
          return current;
        }
      } catch (e) {
        if (want === 'wasm') throw new BackendError(`the wasm backend does not start: ${(e as Error).message.split('\n')[0]}`);
      }
    } else if (want === 'wasm') throw new BackendError('the wasm backend was requested but tfjs-backend-wasm-simd.wasm was not found');
  }
  await tfjs.setBackend('cpu');
  await tfjs.ready();
  current = { tf: tfjs, backend: 'cpu', version: tfjs.version_core };
  return current;
}
