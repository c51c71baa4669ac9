/** Called with each line: `bytes[start, end)`, without its newline. */
export type OnLine = (bytes: Buffer, start: number, end: number) => void;

/**
 * Splits a stream of byte chunks into NDJSON lines in place: lines inside
 * a chunk are handed over as spans of it, and only a line split across
 * chunks is copied. Empty lines are skipped.
 */
export class LineSplitter {
  private carry: Buffer | undefined;

  push(chunk: Buffer, onLine: OnLine): void {
    let start = 0;
    if (this.carry) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      const joined = Buffer.concat([this.carry, chunk.subarray(0, nl)]);
      this.carry = undefined;
      if (joined.length > 0) onLine(joined, 0, joined.length);
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      if (nl > start) onLine(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) this.carry = Buffer.from(chunk.subarray(start));
  }

  /** The last line, when the stream does not end with a newline. */
  end(onLine: OnLine): void {
    const carry = this.carry;
    this.carry = undefined;
    if (carry && carry.length > 0) onLine(carry, 0, carry.length);
  }
}
