/**
 * Direct calls into the TensorFlow.js WASM backend's matrix-multiply kernel, on buffers we own
 * in the backend's heap.
 *
 * Why: a small dense network's training step is ~60 tfjs ops, and for 256-row batches
 * tfjs-core's per-op bookkeeping (kernel lookup, tape, scopes, tensor objects) costs more than
 * the arithmetic. The backend's `_FusedMatMul` export (XNNPACK's fully-connected operator, the
 * same kernel `tf.matMul` / `tf.fused.matMul` run) can be called with tensor ids we register
 * ourselves, so a whole step becomes a handful of kernel calls plus element-wise loops in
 * JavaScript (see fusedDense.ts).
 *
 * The one subtlety: the backend caches an XNNPACK operator per right-hand operand id (and bias
 * id), with that operand's values packed inside it. Every call therefore re-registers the ids
 * of `b` and `bias` first, which drops any stale operator, because our buffers are rewritten
 * between calls.
 */
import type { TF } from './backend';

/** The parts of the backend's emscripten module used here (tfjs-backend-wasm 4.x). */
interface WasmModule {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  __FusedMatMul(aId: number, aShape: number, aRank: number, bId: number, bShape: number, bRank: number, transposeA: number, transposeB: number, activation: number, biasId: number, preluId: number, leakyAlpha: number, outId: number): void;
  _Step(xId: number, alpha: number, dtype: number, outId: number): void;
  _Multiply(aId: number, aShape: number, aRank: number, bId: number, bShape: number, bRank: number, dtype: number, outId: number): void;
  _Transpose(xId: number, xShape: number, xRank: number, dtype: number, outId: number, perm: number, permRank: number): void;
  _Sum(xId: number, reduceSize: number, dtype: number, outId: number): void;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}

/** FusableActivation in tfjs-backend-wasm (cc/fusable_activations.h). */
export const enum Fused {
  Linear = 0,
  Relu = 1,
}

/** A float32 buffer in the WASM heap, registered with the backend as a tensor id. */
export interface HeapBuffer {
  readonly id: number;
  readonly offset: number;
  readonly length: number;
}

// Ids far above the backend's own counter (which starts at 1 and counts tensors created).
let nextId = 0x40000000;

export class WasmKernels {
  private readonly buffers: HeapBuffer[] = [];
  private readonly aliases: HeapBuffer[] = [];
  private readonly shapes: number;
  private heap: ArrayBuffer;
  private shapeView: Int32Array;

  private constructor(private readonly mod: WasmModule) {
    this.shapes = mod._malloc(32) >>> 0;
    this.heap = mod.HEAPU8.buffer as ArrayBuffer;
    this.shapeView = new Int32Array(this.heap, this.shapes, 8);
  }

  /** The kernels of the active backend, or null when it is not the WASM backend this was written for. */
  static of(tf: TF): WasmKernels | null {
    if (tf.getBackend() !== 'wasm') return null;
    const mod = (tf.backend() as unknown as { wasm?: Partial<WasmModule> }).wasm;
    const kernels = ['__FusedMatMul', '_Step', '_Multiply', '_Transpose', '_Sum'] as const;
    if (!mod || kernels.some((k) => typeof mod[k] !== 'function') || typeof mod._malloc !== 'function' || typeof mod._free !== 'function' || !mod.HEAPU8 || typeof mod.tfjs?.registerTensor !== 'function' || typeof mod.tfjs.disposeData !== 'function') return null;
    return new WasmKernels(mod as WasmModule);
  }

  alloc(length: number): HeapBuffer {
    const offset = this.mod._malloc(Math.max(1, length) * 4) >>> 0;
    if (offset === 0) throw new Error(`WASM heap exhausted allocating ${length} floats`);
    const buf = { id: nextId++, offset, length };
    this.mod.tfjs.registerTensor(buf.id, length, offset);
    this.buffers.push(buf);
    return buf;
  }

  /** A tensor id for `length` floats of `parent` from float `start` (freed with the parent). */
  alias(parent: HeapBuffer, start: number, length: number): HeapBuffer {
    if (start + length > parent.length) throw new Error('alias outside its buffer');
    const buf = { id: nextId++, offset: parent.offset + start * 4, length };
    this.mod.tfjs.registerTensor(buf.id, length, buf.offset);
    this.aliases.push(buf);
    return buf;
  }

  /**
   * A view of a buffer's first `length` floats. Any kernel call may grow the heap, which
   * detaches earlier views (writes to them are then silently lost): take views after the last
   * kernel call that precedes their use.
   */
  f32(buf: HeapBuffer, length = buf.length): Float32Array {
    return new Float32Array(this.mod.HEAPU8.buffer, buf.offset, length);
  }

  private refresh(buf: HeapBuffer): void {
    this.mod.tfjs.disposeData(buf.id);
    this.mod.tfjs.registerTensor(buf.id, buf.length, buf.offset);
  }

  /**
   * out (m x n) = act(a (m x k) . b (k x n) + bias), all row-major. `bias` (n) may be null.
   * Relu is the only activation fused (the backend's clamp); others run in JavaScript.
   */
  matMul(a: HeapBuffer, b: HeapBuffer, out: HeapBuffer, m: number, k: number, n: number, bias: HeapBuffer | null = null, act: Fused = Fused.Linear): void {
    if (m * k > a.length || k * n > b.length || m * n > out.length || (bias && n > bias.length)) throw new Error(`matMul shapes ${m}x${k} . ${k}x${n} exceed their buffers`);
    const mod = this.mod;
    const s = this.shape();
    s[0] = 1;
    s[1] = m;
    s[2] = k;
    s[3] = 1;
    s[4] = k;
    s[5] = n;
    this.refresh(b);
    if (bias) this.refresh(bias);
    mod.__FusedMatMul(a.id, this.shapes, 3, b.id, this.shapes + 12, 3, 0, 0, act, bias ? bias.id : 0, 0, 0, out.id);
  }

  private shape(): Int32Array {
    if (this.mod.HEAPU8.buffer !== this.heap) {
      this.heap = this.mod.HEAPU8.buffer as ArrayBuffer;
      this.shapeView = new Int32Array(this.heap, this.shapes, 8);
    }
    return this.shapeView;
  }

  /** out = x > 0 ? 1 : 0 over x's whole registered length (out at least as long). */
  step(x: HeapBuffer, out: HeapBuffer): void {
    if (out.length < x.length) throw new Error('step: output shorter than input');
    this.mod._Step(x.id, 0, 0, out.id);
  }

  /** out[i] = a[i] * b[i] for i < size. */
  multiply(a: HeapBuffer, b: HeapBuffer, out: HeapBuffer, size: number): void {
    if (size > a.length || size > b.length || size > out.length) throw new Error('multiply: size exceeds its buffers');
    this.shape()[0] = size;
    this.mod._Multiply(a.id, this.shapes, 1, b.id, this.shapes, 1, 0, out.id);
  }

  /** out (cols x rows) = x (rows x cols)^T. */
  transpose(x: HeapBuffer, out: HeapBuffer, rows: number, cols: number): void {
    if (rows * cols > x.length || rows * cols > out.length) throw new Error('transpose: shape exceeds its buffers');
    const s = this.shape();
    s[0] = rows;
    s[1] = cols;
    s[2] = 1;
    s[3] = 0;
    this.mod._Transpose(x.id, this.shapes, 2, 0, out.id, this.shapes + 8, 2);
  }

  /** out[g] = sum of x[g * size .. (g + 1) * size) for each of out's `length` groups. */
  sumGroups(x: HeapBuffer, out: HeapBuffer, size: number): void {
    if (out.length * size > x.length) throw new Error('sumGroups: groups exceed the input');
    this.mod._Sum(x.id, size, 0, out.id);
  }

  /** Unregisters and frees every buffer (and the backend's operators cached on them). */
  dispose(): void {
    for (const a of this.aliases) this.mod.tfjs.disposeData(a.id);
    this.aliases.length = 0;
    for (const b of this.buffers) {
      this.mod.tfjs.disposeData(b.id);
      this.mod._free(b.offset);
    }
    this.buffers.length = 0;
    this.mod._free(this.shapes);
  }
}
