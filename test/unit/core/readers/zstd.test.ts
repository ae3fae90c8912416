// ZSTD pages and buffers (Parquet, Arrow) are decompressed by Node's zlib where it has zstd
// (Node 22.15+, the editor's Node 24), else by zstddec's WebAssembly build of the reference
// decoder (the CLI's Node 20), else by hyparquet-compressors' JavaScript decoder: the reader
// picks the native one exactly when zlib offers it, all three give the frame's bytes, and a
// damaged frame is an error, never short data.
// The frame below was written by Node 24's zlib.zstdCompressSync (level 3) from the text built here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { decompressZstd } from 'hyparquet-compressors';
import { NATIVE_ZSTD, wasmZstdDecoder, zstdDecoderName, zstdDecompress, zstdReady } from '../../../../src/core/readers/zstd';

const FRAME = 'KLUv/WDPB5UXAJadPBKwFTQHB/QwpC8tLW3SW2KQrgQ6ADkAOQDTlMJmEGoews0IYU0UaR5h06pZ0qTmBGvKdmguzfhr4lTzcJpW0iwKTaqbg02ZZrh5BwEBIJrRQUAQeUPWtEFr1tA1aaQpczfDBGk+N82YkpsmJFeTBK85EkJTZKgZ5K65WGiGVBPDNS+oaYPNkmnS2JwJUzyxxPFxxHhoWEg4KBhwDLw7uzq6OblwXxzamVkZ2ZhYsC0M68qqimpKKtQVhXRkVEQ0JBRoCkJrFJo4PhMe/11yt8W9Ldsz1tXbd/SNPF72z//J8vSPh79w+Jdw+Pl7qcf44rgigQuoIUmvxtw74YSGGMQY9gERADGDkvOcgJKAPnEET2b/qNLW/0rFZBKQOZHrAW6S5gE1Kb8vM5H2H8qw5JS+IeWUK4EMPNXjFWUkvjq9FSSGC8kjEnhMaTTyDrsZia6iFiFN0opIrwppIXL0GR9SYgb0G0xwrGrPIMbVmCBxPRBzBeSr0f7jtI7yo6hr96G0SPGRBC0SVL28lIdHecSDtmYJYliHTGfmNHh00L3xHHYUrhxdP44tHD31VybnBrKC3EaUglyDxP6RJCQNatCLNNi6RzRCR6NgnCbCl8HrNcR7x4AGAWKUZAzCgOlg2PsXr9SCFwAW5xJTRR2+Fn4/Zy0YY4Ys4pmgqhHtAbjFr4I4PFKRkO3NaqQgYDCj6FGhCC6EnQjKTQz9lMhmJlgVLiUIY1BQH/dtJ3mYTLBNwwgHthy0IhYwf23qHguYA7jD/+iOTU5P2/IZUDFAXcdgAZayNv1BwihE1vMHh1GGpWXvCQARKMc4F4ARIAxzDQAEiO6EYzsYzrrSx3QjGGUj3MoBKFCFOIUD/xEtuLSBd2gSDmmwRzTNh7joDclma8T7OBToOOxKW4df6NBxMGZfdgZzQ0bsow1cqZ5ePV2rQZqm4OhDZJJdjkyy8/SeIwPJrJ2Bg6ttrX6JfRoB8fNCMCNDBlIN8iHBIfAJa1U=';
const TEXT = Array.from({ length: 200 }, (_, i) => `row ${i}: ${(i * i) % 97}`).join('\n');

test('ZSTD: the native decoder exactly when zlib has one; native and JavaScript decoders give the same bytes', () => {
  assert.equal(NATIVE_ZSTD, typeof (zlib as { zstdDecompressSync?: unknown }).zstdDecompressSync === 'function', process.version);
  const frame = Buffer.from(FRAME, 'base64');
  const size = Buffer.byteLength(TEXT);
  assert.equal(Buffer.from(zstdDecompress(frame, size)).toString('utf8'), TEXT, `zstdDecompress on ${process.version} (native: ${NATIVE_ZSTD})`);
  assert.equal(Buffer.from(decompressZstd(frame, new Uint8Array(size))).toString('utf8'), TEXT, 'the JavaScript decoder');
});

test('ZSTD: the WebAssembly decoder gives the same bytes, refuses a truncated frame or a wrong size, and is the one used without native zstd', async () => {
  const frame = Buffer.from(FRAME, 'base64');
  const size = Buffer.byteLength(TEXT);
  const decode = await wasmZstdDecoder();
  assert.ok(decode, 'WebAssembly starts in Node');
  assert.equal(Buffer.from(decode(frame, size)).toString('utf8'), TEXT);
  assert.throws(() => decode(frame.subarray(0, frame.length - 40), size), /ZSTD data is corrupt|memory access|unreachable/);
  assert.throws(() => decode(frame, size + 10), /ZSTD data is corrupt/);
  assert.equal(decode(frame, 0).length, 0);
  await zstdReady();
  assert.equal(zstdDecoderName(), NATIVE_ZSTD ? 'node-zlib' : 'wasm', process.version);
  assert.equal(Buffer.from(zstdDecompress(frame, size)).toString('utf8'), TEXT);
});
