/**
 * ZSTD decompression for the Parquet and Arrow readers: Node's own zlib decoder when it has one
 * (`zlib.zstdDecompressSync`, Node 22.15 and later: the editor's Node 24), else
 * hyparquet-compressors' JavaScript decoder (Node 20). bench/RESULTS.md ("Reading Parquet")
 * measures both.
 */
import * as zlib from 'node:zlib';
import { decompressZstd } from 'hyparquet-compressors';

const native = (zlib as { zstdDecompressSync?: (input: Uint8Array, options?: { maxOutputLength?: number }) => Buffer }).zstdDecompressSync;

/** Whether this Node decompresses ZSTD natively. */
export const NATIVE_ZSTD = native !== undefined;

/** The decompressed bytes of one ZSTD frame whose decompressed size is `size`. */
export function zstdDecompress(input: Uint8Array, size: number): Uint8Array {
  if (native) {
    const out = native(input);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  return decompressZstd(input, new Uint8Array(size));
}
