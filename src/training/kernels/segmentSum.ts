/**
 * UnsortedSegmentSum for TensorFlow.js's WASM backend, which has none. tfjs computes the
 * gradient of `gather` (an embedding lookup, tf.layers.embedding) with it, so without this
 * kernel no embedding can be trained on WASM ("Kernel 'UnsortedSegmentSum' not registered").
 * Rows of `x` are added into the output row their segment id names, as the CPU backend does;
 * ids outside [0, numSegments) are dropped, as TensorFlow does.
 */
import type { TF } from '../backend';

interface WasmBackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: ArrayLike<number>): unknown;
}

interface TensorInfoLike {
  readonly dataId: object;
  readonly shape: number[];
  readonly dtype: string;
}

/** Registers the kernel on the WASM backend once per process (a no-op when it exists or the backend is another). */
export function registerWasmSegmentSum(tf: TF): void {
  if (tf.getBackend() !== 'wasm' || tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ((args: { inputs: { x: TensorInfoLike; segmentIds: TensorInfoLike }; attrs: { numSegments: number }; backend: WasmBackendLike }) => {
      const { x, segmentIds } = args.inputs;
      const numSegments = args.attrs.numSegments;
      const values = args.backend.readSync(x.dataId);
      const ids = args.backend.readSync(segmentIds.dataId);
      const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
      const inner = rows === 0 ? 0 : values.length / rows;
      const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
      const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
      for (let r = 0; r < rows; r++) {
        const id = ids[r];
        if (!(id >= 0 && id < numSegments)) continue;
        const from = r * inner;
        const to = id * inner;
        for (let j = 0; j < inner; j++) out[to + j] += values[from + j];
      }
      return args.backend.makeOutput(outShape, x.dtype, undefined, out);
    }) as unknown as Parameters<TF['registerKernel']>[0]['kernelFunc'],
  });
}
