/**
 * ZSTD decompression for the Parquet and Arrow readers, the fastest decoder this Node has:
 * 1. Node's own zlib decoder (`zlib.zstdDecompressSync`, Node 22.15 and later: the editor's
 *    Node 24);
 * 2. else zstddec (the reference zstd library compiled to WebAssembly) once `zstdReady()` has
 *    compiled it: the CLI on Node 20;
 * 3. else hyparquet-compressors' JavaScript decoder (fzstd), if WebAssembly could not start.
 * bench/RESULTS.md ("Reading Parquet", "ZSTD on Node 20") measures all three.
 */
import * as zlib from 'node:zlib';
import { decompressZstd } from 'hyparquet-compressors';
import { ZSTDDecoder } from 'zstddec';

const native = (zlib as { zstdDecompressSync?: (input: Uint8Array, options?: { maxOutputLength?: number }) => Buffer }).zstdDecompressSync;

/** Whether this Node decompresses ZSTD natively. */
export const NATIVE_ZSTD = native !== undefined;

type Decode = (input: Uint8Array, size: number) => Uint8Array;

let wasm: Decode | undefined;
let starting: Promise<Decode | undefined> | undefined;

/**
 * The WebAssembly decoder, compiled once per process; undefined if WebAssembly cannot start here.
 * zstddec returns what the decoder wrote; a corrupt frame writes less (or returns an error code,
 * read as a negative length), so anything but `size` bytes is an error, never data.
 */
export function wasmZstdDecoder(): Promise<Decode | undefined> {
  starting ??= (async () => {
    const decoder = new ZSTDDecoder();
    try {
      await decoder.init();
    } catch {
      return undefined;
    }
    return (input: Uint8Array, size: number): Uint8Array => {
      if (size === 0) return new Uint8Array(0);
      const out = decoder.decode(input, size);
      if (out.length !== size) throw new Error(`ZSTD data is corrupt (decoded ${Math.max(0, out.length)} of ${size} bytes)`);
      return out;
    };
  })();
  return starting;
}

/**
 * Readers await this before decoding: it compiles the WebAssembly decoder when Node has no native
 * one (later calls return at once). If WebAssembly cannot start, decoding falls back to the
 * JavaScript decoder, which is slower but gives the same bytes.
 */
export async function zstdReady(): Promise<void> {
  if (native || wasm) return;
  wasm = await wasmZstdDecoder();
}

/** Which decoder zstdDecompress uses now (for the bench's header and the tests). */
export function zstdDecoderName(): 'node-zlib' | 'wasm' | 'javascript' {
  return native ? 'node-zlib' : wasm ? 'wasm' : 'javascript';
}

/** The decompressed bytes of one ZSTD frame whose decompressed size is `size`. */
export function zstdDecompress(input: Uint8Array, size: number): Uint8Array {
  if (native) {
    const out = native(input);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  if (wasm) return wasm(input, size);
  return decompressZstd(input, new Uint8Array(size));
}
