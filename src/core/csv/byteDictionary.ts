/**
 * Dictionary encoding straight from bytes: maps the bytes of a cell to a dense code without
 * allocating a string per cell. A string is decoded once per distinct value.
 */

const textDecoder = new TextDecoder('utf-8', { fatal: false });

export class ByteDictionary {
  /** Distinct values in order of first appearance. */
  readonly values: string[] = [];
  /** True for codes whose bytes were not valid UTF-8 (decoded with U+FFFD). */
  readonly invalidUtf8: boolean[] = [];
  // Small to start with (all grow by doubling): a file may have 100,000 text columns.
  private slots: Int32Array = new Int32Array(64); // code + 1, 0 = empty
  private mask = 63;
  private hashes: Int32Array = new Int32Array(32);
  private offsets: Int32Array = new Int32Array(33);
  private arena: Uint8Array = new Uint8Array(256);
  private arenaUsed = 0;

  get size(): number {
    return this.values.length;
  }

  /** The code of `buf[start, end)`, adding it when new. */
  code(buf: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    h ^= h >>> 15;
    const len = end - start;
    const slots = this.slots;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const entry = slots[slot];
      if (entry === 0) break;
      const code = entry - 1;
      if (this.hashes[code] === h) {
        const off = this.offsets[code];
        if (this.offsets[code + 1] - off === len) {
          const arena = this.arena;
          let k = 0;
          while (k < len && arena[off + k] === buf[start + k]) k++;
          if (k === len) return code;
        }
      }
      slot = (slot + 1) & mask;
    }
    return this.insert(buf, start, end, h, slot);
  }

  private insert(buf: Uint8Array, start: number, end: number, h: number, slot: number): number {
    const code = this.values.length;
    const len = end - start;
    if (code + 2 > this.offsets.length) {
      const n = this.offsets.length * 2;
      const offsets = new Int32Array(n);
      offsets.set(this.offsets);
      this.offsets = offsets;
      const hashes = new Int32Array(n);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    if (this.arenaUsed + len > this.arena.length) {
      const arena = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + len));
      arena.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = arena;
    }
    this.arena.set(buf.subarray(start, end), this.arenaUsed);
    this.offsets[code] = this.arenaUsed;
    this.arenaUsed += len;
    this.offsets[code + 1] = this.arenaUsed;
    this.hashes[code] = h;
    const text = textDecoder.decode(buf.subarray(start, end));
    this.values.push(text);
    this.invalidUtf8.push(text.includes('\uFFFD') && !containsReplacementBytes(buf, start, end));
    this.slots[slot] = code + 1;
    if ((code + 1) * 2 > this.mask) this.rehash();
    return code;
  }

  private rehash(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let code = 0; code < this.values.length; code++) {
      let slot = this.hashes[code] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = code + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** U+FFFD written literally in the file (EF BF BD) is valid text, not a decoding failure. */
function containsReplacementBytes(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i + 2 < end; i++) {
    if (buf[i] === 0xef && buf[i + 1] === 0xbf && buf[i + 2] === 0xbd) return true;
  }
  return false;
}
