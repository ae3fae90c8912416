/**
 * A small WebAssembly binary writer, so the training kernels (denseKernels.ts) are written in
 * TypeScript and assembled at run time: no build step, no generated binary in the repository,
 * and the kernels can be read and reviewed as code.
 *
 * Code is written as nested calls in stack-machine order: an instruction's operands are the
 * arguments of its helper, and JavaScript evaluates (emits) the arguments before the helper
 * emits the instruction itself, so `f.i32.add(f.get(p), f.i32c(4))` emits
 * `local.get p; i32.const 4; i32.add`. Helpers return the `E` marker only to make that nesting
 * type-check.
 *
 * Only what the kernels use is here: i32/f32/f64 scalars, the SIMD (v128) instructions of the
 * finished WebAssembly SIMD proposal (no relaxed SIMD: Node 20 does not enable it by default),
 * structured control flow with named labels, and one imported memory (optionally shared, so
 * worker threads can run the same kernels on one memory).
 */

/** Value types. */
export const enum T {
  i32 = 0x7f,
  f32 = 0x7d,
  f64 = 0x7c,
  v128 = 0x7b,
}

/** Marker for "this call emitted code that leaves a value on the stack". */
export type E = { readonly __emitted: true } | void;

function uleb(out: number[], v: number): void {
  let x = v >>> 0;
  do {
    let byte = x & 0x7f;
    x >>>= 7;
    if (x !== 0) byte |= 0x80;
    out.push(byte);
  } while (x !== 0);
}

function sleb(out: number[], v: number): void {
  let x = v | 0;
  for (;;) {
    const byte = x & 0x7f;
    x >>= 7;
    if ((x === 0 && (byte & 0x40) === 0) || (x === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

function name(out: number[], s: string): void {
  const bytes = Buffer.from(s, 'utf8');
  uleb(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/** SIMD opcodes (prefix 0xfd) used by the kernels. */
const SIMD = {
  load: 0x00,
  load32Splat: 0x09,
  load64Splat: 0x0a,
  store: 0x0b,
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  f32x4ExtractLane: 0x1f,
  f64x2ExtractLane: 0x21,
  f32x4Gt: 0x44,
  v128And: 0x4e,
  store32Lane: 0x5a,
  load64Zero: 0x5d,
  store64Lane: 0x5b,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Max: 0xe9,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2PromoteLowF32x4: 0x5f,
} as const;

export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly localTypes: T[] = [];
  private readonly labels: string[] = [];

  constructor(
    readonly params: readonly T[],
    readonly results: readonly T[],
  ) {}

  /** Declares a local; returns its index. */
  local(type: T): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  locals(type: T, count: number): number[] {
    return Array.from({ length: count }, () => this.local(type));
  }

  private op(...bytes: number[]): E {
    for (const b of bytes) this.code.push(b);
  }

  private memarg(align: number, offset: number): void {
    uleb(this.code, align);
    uleb(this.code, offset);
  }

  private simd(opcode: number): void {
    this.code.push(0xfd);
    uleb(this.code, opcode);
  }

  // Locals and constants.
  get(l: number): E {
    this.op(0x20);
    uleb(this.code, l);
  }
  set(l: number, _v: E): E {
    this.op(0x21);
    uleb(this.code, l);
  }
  tee(l: number, _v: E): E {
    this.op(0x22);
    uleb(this.code, l);
  }
  i32c(v: number): E {
    this.op(0x41);
    sleb(this.code, v);
  }
  f32c(v: number): E {
    this.op(0x43);
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.op(...b);
  }
  f64c(v: number): E {
    this.op(0x44);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.op(...b);
  }
  drop(_v: E): E {
    this.op(0x1a);
  }
  /** a ? b : c, all of one type (b and c are both evaluated). */
  select(_b: E, _c: E, _cond: E): E {
    this.op(0x1b);
  }

  // Control flow with named labels: br/brIf name the block or loop to leave / repeat.
  private depth(label: string): number {
    const i = this.labels.lastIndexOf(label);
    if (i < 0) throw new Error(`unknown label ${label}`);
    return this.labels.length - 1 - i;
  }
  block(label: string, body: () => void): E {
    this.op(0x02, 0x40);
    this.labels.push(label);
    body();
    this.labels.pop();
    this.op(0x0b);
  }
  loop(label: string, body: () => void): E {
    this.op(0x03, 0x40);
    this.labels.push(label);
    body();
    this.labels.pop();
    this.op(0x0b);
  }
  if(_cond: E, then: () => void, otherwise?: () => void): E {
    this.op(0x04, 0x40);
    this.labels.push('');
    then();
    if (otherwise) {
      this.op(0x05);
      otherwise();
    }
    this.labels.pop();
    this.op(0x0b);
  }
  br(label: string): E {
    this.op(0x0c);
    uleb(this.code, this.depth(label));
  }
  brIf(label: string, _cond: E): E {
    this.op(0x0d);
    uleb(this.code, this.depth(label));
  }
  ret(): E {
    this.op(0x0f);
  }

  /**
   * `for (i = from; i < to; i += step) body()` over i32 locals; `to` is re-read each time, so
   * pass a local or constant. Nothing runs when from >= to.
   */
  forRange(i: number, from: () => E, to: () => E, step: number, body: () => void): E {
    this.set(i, from());
    const tag = `for${this.labels.length}_${i}`;
    this.block(`${tag}_exit`, () => {
      this.brIf(`${tag}_exit`, this.i32.geS(this.get(i), to()));
      this.loop(tag, () => {
        body();
        this.set(i, this.i32.add(this.get(i), this.i32c(step)));
        this.brIf(tag, this.i32.ltS(this.get(i), to()));
      });
    });
  }

  readonly i32 = {
    add: (_a: E, _b: E): E => this.op(0x6a),
    sub: (_a: E, _b: E): E => this.op(0x6b),
    mul: (_a: E, _b: E): E => this.op(0x6c),
    and: (_a: E, _b: E): E => this.op(0x71),
    shl: (_a: E, _b: E): E => this.op(0x74),
    eqz: (_a: E): E => this.op(0x45),
    eq: (_a: E, _b: E): E => this.op(0x46),
    ne: (_a: E, _b: E): E => this.op(0x47),
    ltS: (_a: E, _b: E): E => this.op(0x48),
    gtS: (_a: E, _b: E): E => this.op(0x4a),
    leS: (_a: E, _b: E): E => this.op(0x4c),
    geS: (_a: E, _b: E): E => this.op(0x4e),
    load: (_addr: E, offset = 0): E => {
      this.op(0x28);
      this.memarg(2, offset);
    },
  };

  readonly f32 = {
    load: (_addr: E, offset = 0): E => {
      this.op(0x2a);
      this.memarg(2, offset);
    },
    store: (_addr: E, _v: E, offset = 0): E => {
      this.op(0x38);
      this.memarg(2, offset);
    },
    add: (_a: E, _b: E): E => this.op(0x92),
    sub: (_a: E, _b: E): E => this.op(0x93),
    mul: (_a: E, _b: E): E => this.op(0x94),
    div: (_a: E, _b: E): E => this.op(0x95),
    sqrt: (_a: E): E => this.op(0x91),
    gt: (_a: E, _b: E): E => this.op(0x5e),
    /** f32 from f64. */
    demote: (_a: E): E => this.op(0xb6),
  };

  readonly f64 = {
    load: (_addr: E, offset = 0): E => {
      this.op(0x2b);
      this.memarg(3, offset);
    },
    store: (_addr: E, _v: E, offset = 0): E => {
      this.op(0x39);
      this.memarg(3, offset);
    },
    add: (_a: E, _b: E): E => this.op(0xa0),
    sub: (_a: E, _b: E): E => this.op(0xa1),
    mul: (_a: E, _b: E): E => this.op(0xa2),
    /** f64 from f32. */
    promote: (_a: E): E => this.op(0xbb),
  };

  readonly v128 = {
    load: (_addr: E, offset = 0): E => {
      this.simd(SIMD.load);
      this.memarg(4, offset);
    },
    store: (_addr: E, _v: E, offset = 0): E => {
      this.simd(SIMD.store);
      this.memarg(4, offset);
    },
    and: (_a: E, _b: E): E => this.simd(SIMD.v128And),
    /** 8 bytes into the low half, zeros in the high half. */
    load64Zero: (_addr: E, offset = 0): E => {
      this.simd(SIMD.load64Zero);
      this.memarg(3, offset);
    },
  };

  readonly f32x4 = {
    /** One float from memory in all four lanes. */
    loadSplat: (_addr: E, offset = 0): E => {
      this.simd(SIMD.load32Splat);
      this.memarg(2, offset);
    },
    splat: (_a: E): E => this.simd(SIMD.f32x4Splat),
    add: (_a: E, _b: E): E => this.simd(SIMD.f32x4Add),
    sub: (_a: E, _b: E): E => this.simd(SIMD.f32x4Sub),
    mul: (_a: E, _b: E): E => this.simd(SIMD.f32x4Mul),
    div: (_a: E, _b: E): E => this.simd(SIMD.f32x4Div),
    max: (_a: E, _b: E): E => this.simd(SIMD.f32x4Max),
    sqrt: (_a: E): E => this.simd(SIMD.f32x4Sqrt),
    /** Lane mask: all ones where a > b. */
    gt: (_a: E, _b: E): E => this.simd(SIMD.f32x4Gt),
    extractLane: (_v: E, lane: number): E => {
      this.simd(SIMD.f32x4ExtractLane);
      this.code.push(lane);
    },
    /** Stores lane `lane` of v at addr + offset. */
    storeLane: (_addr: E, _v: E, lane: number, offset = 0): E => {
      this.simd(SIMD.store32Lane);
      this.memarg(2, offset);
      this.code.push(lane);
    },
  };

  readonly f64x2 = {
    loadSplat: (_addr: E, offset = 0): E => {
      this.simd(SIMD.load64Splat);
      this.memarg(3, offset);
    },
    splat: (_a: E): E => this.simd(SIMD.f64x2Splat),
    add: (_a: E, _b: E): E => this.simd(SIMD.f64x2Add),
    sub: (_a: E, _b: E): E => this.simd(SIMD.f64x2Sub),
    mul: (_a: E, _b: E): E => this.simd(SIMD.f64x2Mul),
    /** The two low f32 lanes of v as f64. */
    promoteLow: (_v: E): E => this.simd(SIMD.f64x2PromoteLowF32x4),
    extractLane: (_v: E, lane: number): E => {
      this.simd(SIMD.f64x2ExtractLane);
      this.code.push(lane);
    },
    storeLane: (_addr: E, _v: E, lane: number, offset = 0): E => {
      this.simd(SIMD.store64Lane);
      this.memarg(3, offset);
      this.code.push(lane);
    },
  };

  /** The function body as the code section encodes it (locals, then code, then `end`). */
  encode(): number[] {
    const body: number[] = [];
    // Locals run-length encoded by type.
    const runs: [number, T][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(body, runs.length);
    for (const [count, t] of runs) {
      uleb(body, count);
      body.push(t);
    }
    for (const b of this.code) body.push(b);
    body.push(0x0b);
    const out: number[] = [];
    uleb(out, body.length);
    return out.concat(body);
  }
}

export interface MemoryImport {
  readonly initialPages: number;
  readonly maximumPages: number;
  readonly shared: boolean;
}

/** A module importing one memory ("env"."memory") and exporting its functions by name. */
export class ModuleBuilder {
  private readonly functions: { name: string; f: FunctionBuilder }[] = [];

  constructor(private readonly memory: MemoryImport) {}

  function(exportName: string, params: readonly T[], results: readonly T[], body: (f: FunctionBuilder) => void): void {
    const f = new FunctionBuilder(params, results);
    body(f);
    this.functions.push({ name: exportName, f });
  }

  encode(): Uint8Array {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, content: number[]) => {
      out.push(id);
      uleb(out, content.length);
      for (const b of content) out.push(b);
    };
    // Types: one per function (duplicates are allowed).
    const types: number[] = [];
    uleb(types, this.functions.length);
    for (const { f } of this.functions) {
      types.push(0x60);
      uleb(types, f.params.length);
      for (const p of f.params) types.push(p);
      uleb(types, f.results.length);
      for (const r of f.results) types.push(r);
    }
    section(1, types);
    const imports: number[] = [];
    uleb(imports, 1);
    name(imports, 'env');
    name(imports, 'memory');
    imports.push(0x02, this.memory.shared ? 0x03 : 0x01);
    uleb(imports, this.memory.initialPages);
    uleb(imports, this.memory.maximumPages);
    section(2, imports);
    const funcs: number[] = [];
    uleb(funcs, this.functions.length);
    this.functions.forEach((_, i) => uleb(funcs, i));
    section(3, funcs);
    const exports: number[] = [];
    uleb(exports, this.functions.length);
    this.functions.forEach(({ name: n }, i) => {
      name(exports, n);
      exports.push(0x00);
      uleb(exports, i);
    });
    section(7, exports);
    const code: number[] = [];
    uleb(code, this.functions.length);
    for (const { f } of this.functions) for (const b of f.encode()) code.push(b);
    section(10, code);
    return Uint8Array.from(out);
  }
}
