import { crc32 } from 'node:zlib';

/**
 * Thrown by `fromBuffer` when the bytes are not a sketch this code wrote:
 * wrong type tag, unknown version, truncated, trailing bytes, a failed
 * checksum or values out of range. Callers reading a cache can treat it as a
 * miss.
 */
export class SketchFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SketchFormatError';
  }
}

/** Every encoded sketch ends with a CRC-32 of the bytes before it. */
const CHECKSUM_BYTES = 4;

/** Whether encoded bytes end with the CRC-32 of the bytes before them. */
export function checksumHolds(bytes: Uint8Array): boolean {
  const end = bytes.length - CHECKSUM_BYTES;
  return (
    end >= 0 &&
    crc32(bytes.subarray(0, end)) ===
      new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
        end,
        true,
      )
  );
}

/** Little-endian writer over a growable byte array. */
export class ByteWriter {
  private bytes: Uint8Array;
  private length = 0;

  constructor(initialCapacity = 64) {
    this.bytes = new Uint8Array(Math.max(16, initialCapacity));
  }

  get size(): number {
    return this.length;
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  /** Unsigned LEB128; exact for every non-negative safe integer. */
  varint(value: number): void {
    this.reserve(8);
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.length++] = rest % 0x80 | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length++] = rest;
  }

  /** Signed integer as a zigzag varint (small magnitudes stay short). */
  zigzag(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  float64(value: number): void {
    this.reserve(8);
    new DataView(
      this.bytes.buffer,
      this.bytes.byteOffset,
      this.bytes.byteLength,
    ).setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** Appends the checksum and returns the encoded bytes. */
  finish(): Buffer {
    const body = this.bytes.subarray(0, this.length);
    const out = Buffer.allocUnsafe(this.length + CHECKSUM_BYTES);
    out.set(body, 0);
    out.writeUInt32LE(crc32(body), this.length);
    return out;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(
      Math.max(this.length + extra, this.bytes.length * 2),
    );
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

/**
 * Reader matching {@link ByteWriter}. The constructor checks the type tag,
 * the version and the checksum; every read checks bounds.
 */
export class ByteReader {
  private position = 0;
  private readonly end: number;

  constructor(
    private readonly buffer: Uint8Array,
    private readonly what: string,
    tag: number,
    version: number,
  ) {
    if (!(buffer instanceof Uint8Array)) {
      throw new SketchFormatError(`${what}: expected a Buffer`);
    }
    if (buffer.length < 2 + CHECKSUM_BYTES) {
      throw new SketchFormatError(
        `${what}: buffer too short (${buffer.length} bytes)`,
      );
    }
    if (buffer[0] !== tag) {
      throw new SketchFormatError(
        `${what}: not a ${what} encoding (type tag 0x${buffer[0]
          .toString(16)
          .padStart(2, '0')})`,
      );
    }
    if (buffer[1] !== version) {
      throw new SketchFormatError(
        `${what}: unsupported encoding version ${buffer[1]} (expected ${version})`,
      );
    }
    this.end = buffer.length - CHECKSUM_BYTES;
    if (!checksumHolds(buffer)) {
      throw new SketchFormatError(`${what}: checksum mismatch (corrupt data)`);
    }
    this.position = 2;
  }

  byte(): number {
    this.need(1);
    return this.buffer[this.position++];
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(value)) break;
        return value;
      }
      scale *= 0x80;
    }
    throw this.fail('varint out of range');
  }

  zigzag(): number {
    const raw = this.varint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  float64(): number {
    this.need(8);
    const value = new DataView(
      this.buffer.buffer,
      this.buffer.byteOffset,
      this.buffer.byteLength,
    ).getFloat64(this.position, true);
    this.position += 8;
    return value;
  }

  /** A view of the next `length` bytes. */
  bytes(length: number): Uint8Array {
    this.need(length);
    const view = this.buffer.subarray(this.position, this.position + length);
    this.position += length;
    return view;
  }

  /** Fails on trailing bytes between the payload and the checksum. */
  done(): void {
    if (this.position !== this.end) {
      throw this.fail(`${this.end - this.position} unexpected trailing bytes`);
    }
  }

  fail(reason: string): SketchFormatError {
    return new SketchFormatError(
      `${this.what}: corrupt encoding at byte ${this.position}: ${reason}`,
    );
  }

  private need(length: number): void {
    if (this.position + length > this.end) throw this.fail('truncated');
  }
}
