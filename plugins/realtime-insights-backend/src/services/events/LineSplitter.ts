import { Readable } from 'node:stream';
import { decompressedChunks } from './decompressedChunks';

const EMPTY = Buffer.alloc(0);

/** Takes one line: `bytes[start, end)`, valid until it returns. */
export type LineReader = (bytes: Buffer, start: number, end: number) => void;

/**
 * Splits a stream of byte chunks into NDJSON lines in place: lines inside
 * a chunk are handed over as spans of it, and only a line split across
 * chunks is copied. Empty lines are skipped. Pulled, so that a caller may
 * await between lines:
 *
 *   for await (const chunk of chunks) {
 *     lines.push(chunk);
 *     while (lines.next()) use(lines.bytes, lines.start, lines.end);
 *   }
 *   lines.end();
 *   while (lines.next()) use(lines.bytes, lines.start, lines.end);
 */
export class LineSplitter {
  /** The current line: `bytes[start, end)`, without its newline. */
  bytes: Buffer = EMPTY;
  start = 0;
  end = 0;
  private chunk: Buffer = EMPTY;
  private pos = 0;
  private carry: Buffer | undefined;
  private ended = false;

  /** Calls `read` with each line of bytes held whole. */
  static forEachLine(bytes: Buffer, read: LineReader): void {
    const lines = new LineSplitter();
    lines.push(bytes);
    lines.finish();
    while (lines.next()) read(lines.bytes, lines.start, lines.end);
  }

  /** The next chunk; call once `next()` has answered false. */
  push(chunk: Buffer): void {
    this.chunk = chunk;
    this.pos = 0;
  }

  /** No more chunks: the last line may lack its newline. */
  finish(): void {
    this.ended = true;
  }

  /** Moves to the next complete line; false when the chunk is used up. */
  next(): boolean {
    for (;;) {
      const chunk = this.chunk;
      const nl = chunk.indexOf(10, this.pos);
      if (this.carry) {
        if (nl < 0) {
          if (this.pos < chunk.length) {
            this.carry = Buffer.concat([this.carry, chunk.subarray(this.pos)]);
          }
          this.chunk = EMPTY;
          this.pos = 0;
          if (!this.ended) return false;
          const last = this.carry;
          this.carry = undefined;
          if (last.length > 0) return this.line(last, 0, last.length);
          return false;
        }
        const joined = Buffer.concat([
          this.carry,
          chunk.subarray(this.pos, nl),
        ]);
        this.carry = undefined;
        this.pos = nl + 1;
        if (joined.length > 0) return this.line(joined, 0, joined.length);
        continue;
      }
      if (nl < 0) {
        if (this.pos < chunk.length) {
          this.carry = Buffer.from(chunk.subarray(this.pos));
        }
        this.chunk = EMPTY;
        this.pos = 0;
        if (this.ended && this.carry) continue;
        return false;
      }
      const start = this.pos;
      this.pos = nl + 1;
      if (nl > start) return this.line(chunk, start, nl);
    }
  }

  private line(bytes: Buffer, start: number, end: number): true {
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    return true;
  }
}

/**
 * Calls `read` with each line of an object (`decompressedChunks`: gunzipped
 * when it is gzip), yielding after the lines of each chunk and after the
 * last line, so a caller may hand over what was read as it streams.
 * Throws when the compressed data is corrupt or truncated.
 */
export async function* readLinesOf(
  body: Readable | Buffer,
  read: LineReader,
): AsyncGenerator<void> {
  const lines = new LineSplitter();
  for await (const chunk of decompressedChunks(body)) {
    lines.push(chunk);
    while (lines.next()) read(lines.bytes, lines.start, lines.end);
    yield;
  }
  lines.finish();
  while (lines.next()) read(lines.bytes, lines.start, lines.end);
  yield;
}
