/**
 * Keeps the stdio message stream in step after malformed input. vscode-jsonrpc's stream reader
 * consumes a bad header block (no Content-Length, a line without ":", a length that is not a
 * number) and then reads whatever follows as the next header: from there on every message is
 * taken for a header and the server never answers again. This stream sits in front of it,
 * checks each header block, passes good messages through untouched (bodies are not copied) and
 * on a bad one logs a line and skips to the next "Content-Length:".
 */
import { Transform, type TransformCallback } from 'node:stream';

/** A header block longer than this without its blank line is garbage. */
const MAX_HEADER_BYTES = 8192;
const CONTENT_LENGTH = Buffer.from('content-length:');
const HEADER_END = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

/** The Content-Length of a header block (without its blank line), or why it is not a valid one. */
function contentLength(header: string): number | string {
  let length: number | undefined;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) return `a line without ":"`;
    if (line.slice(0, colon).toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d+$/.test(value)) return 'Content-Length is not a number';
    length = Number(value);
  }
  return length ?? 'no Content-Length';
}

/** Offset of "Content-Length:" (any case) in `buf` from `from`, or -1. */
function findContentLength(buf: Buffer, from: number): number {
  const first = CONTENT_LENGTH[0];
  for (let i = from; i + CONTENT_LENGTH.length <= buf.length; i++) {
    if ((buf[i] | 0x20) !== first) continue;
    let k = 1;
    while (k < CONTENT_LENGTH.length && (buf[i + k] | (CONTENT_LENGTH[k] >= 97 ? 0x20 : 0)) === CONTENT_LENGTH[k]) k++;
    if (k === CONTENT_LENGTH.length) return i;
  }
  return -1;
}

export class HeaderResync extends Transform {
  /** Body bytes of the current message still to pass through. */
  private bodyLeft = 0;
  /** Bytes held back: an incomplete header, or the tail of skipped bytes that may start a header. */
  private held: Buffer = EMPTY;
  /** Skipping garbage: bytes dropped so far in this episode. */
  private skipping = false;
  private skipped = 0;

  constructor(private readonly log: (line: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const buf = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = EMPTY;
    /** Start of bytes checked and not yet passed on. */
    let out = 0;
    let i = 0;
    while (i < buf.length) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, buf.length - i);
        i += n;
        this.bodyLeft -= n;
        continue;
      }
      if (this.skipping) {
        const at = findContentLength(buf, i);
        if (at < 0) {
          // Keep a tail that may be the start of "Content-Length:" cut by the chunk's end.
          const keep = Math.max(i, buf.length - (CONTENT_LENGTH.length - 1));
          this.skipped += keep - i;
          this.held = buf.subarray(keep);
          out = i = buf.length;
          break;
        }
        this.skipped += at - i;
        this.skipping = false;
        this.log(`dataset-lab server: resynchronised: skipped ${this.skipped} byte${this.skipped === 1 ? '' : 's'} to the next Content-Length header`);
        out = i = at;
        continue;
      }
      const end = buf.indexOf(HEADER_END, i);
      if (end < 0 && buf.length - i <= MAX_HEADER_BYTES) {
        // An incomplete header: hold it until the rest arrives.
        this.push(buf.subarray(out, i));
        this.held = buf.subarray(i);
        out = i = buf.length;
        break;
      }
      const length = end < 0 ? `no blank line within ${MAX_HEADER_BYTES} bytes` : contentLength(buf.toString('latin1', i, end));
      if (typeof length === 'number') {
        i = end + HEADER_END.length;
        this.bodyLeft = length;
        continue;
      }
      // A bad header: pass on what came before it and drop bytes up to the next header.
      this.push(buf.subarray(out, i));
      const shown = buf.toString('latin1', i, Math.min(end < 0 ? buf.length : end, i + 60));
      this.log(`dataset-lab server: malformed message header (${length}): ${JSON.stringify(shown)}; skipping to the next Content-Length header`);
      this.skipping = true;
      this.skipped = 1;
      out = i = i + 1;
    }
    if (out < buf.length) this.push(buf.subarray(out));
    done();
  }

  override _flush(done: TransformCallback): void {
    // An incomplete header at the end of the stream goes on as it is: the reader sees the end.
    if (this.held.length > 0 && !this.skipping) this.push(this.held);
    this.held = EMPTY;
    done();
  }
}
