import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';

/** A chunk as a Buffer, without copying the bytes. */
function asBuffer(chunk: Uint8Array | string): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * A body's bytes in a buffer of the caller's own: always a new one, never
 * a chunk the stream may share with its source (`Readable.from` a cached
 * buffer), so the caller may free it at once (`releaseViews`).
 */
export async function readAll(body: Readable): Promise<Buffer> {
  return joined(body, true);
}

/**
 * A body's bytes in one buffer: with `copy`, a new one; otherwise a sole
 * chunk as it came (a whole file read at once, say), which the caller
 * may read but must not free.
 */
async function joined(body: Readable, copy: boolean): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const bytes = asBuffer(chunk);
    chunks.push(bytes);
    length += bytes.length;
  }
  if (!copy && chunks.length === 1) return chunks[0];
  const all = Buffer.allocUnsafeSlow(length);
  let offset = 0;
  for (const chunk of chunks) offset += chunk.copy(all, offset);
  return all;
}

/**
 * A body's bytes in one buffer (a sole chunk is not copied: read them,
 * do not free them), or undefined when the read fails part way: a caller
 * that reads objects whole counts that object as corrupt, as one
 * summarised as it streams is.
 */
export async function readWhole(body: Readable): Promise<Buffer | undefined> {
  try {
    return await joined(body, false);
  } catch {
    return undefined;
  }
}

/** Decompressed bytes handed over at a time. */
const CHUNK_BYTES = 262144;

/**
 * An object's bytes, gunzipped when they start with the gzip magic
 * (Firehose's GZIP output), as they are otherwise; in chunks of up to
 * 256 KiB. Unlike the engine's `ndjsonLines` nothing is decoded to text:
 * exports locate values in the bytes and copy them (see `EventLine`).
 * Throws when the compressed data is corrupt or truncated.
 */
export async function* decompressedChunks(
  body: Readable | Buffer,
): AsyncGenerator<Buffer> {
  let head: Buffer;
  let source: Readable | undefined;
  if (Buffer.isBuffer(body)) {
    head = body;
  } else {
    const iterator = body[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) return;
    head = asBuffer(first.value);
    // The first chunk was consumed to sniff the format; put it back in front.
    source = Readable.from(
      (async function* withHead() {
        yield head;
        for (
          let r = await iterator.next();
          !r.done;
          r = await iterator.next()
        ) {
          yield asBuffer(r.value);
        }
      })(),
    );
  }
  if (head.length === 0) return;
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    if (source) yield* source;
    else yield head;
    return;
  }
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  if (source) {
    source.on('error', e => gunzip.destroy(e));
    source.pipe(gunzip);
  } else {
    gunzip.end(head);
  }
  yield* gunzip;
}

/** Largest object read whole: Firehose's 128 MiB buffer, twice. */
const MAX_WHOLE_OBJECT_BYTES = 256 * 1024 * 1024;

/**
 * An object's bytes in one piece, gunzipped on the calling thread when
 * they start with the gzip magic, as they are otherwise: for worker
 * threads, where this is cheaper than streaming through libuv's pool.
 * Throws when the data is corrupt or truncated, and (`code`
 * `ERR_BUFFER_TOO_LARGE`) past 256 MiB uncompressed: stream those.
 */
export function decompressedWhole(body: Buffer): Buffer {
  if (body[0] !== 0x1f || body[1] !== 0x8b) return body;
  return gunzipSync(body, {
    maxOutputLength: MAX_WHOLE_OBJECT_BYTES,
    chunkSize: outputChunkBytes(body),
  });
}

/** Deflate's largest ratio of output to input. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Room for all of a gzip object's output in one chunk, so that it is
 * inflated into one buffer (not 16 KiB pieces, copied together after):
 * its trailer's ISIZE (the size, modulo 2^32, of the last member), plus
 * one byte for zlib to see the end. Only a hint: a wrong one (several
 * members, a corrupt trailer) costs more pieces, never a wrong answer.
 */
function outputChunkBytes(body: Buffer): number {
  const size = body.length >= 18 ? body.readUInt32LE(body.length - 4) : 0;
  return Math.max(
    64 * 1024,
    Math.min(
      size + 1,
      body.length * MAX_DEFLATE_RATIO,
      MAX_WHOLE_OBJECT_BYTES + 1,
    ),
  );
}

/** Whether `decompressedWhole` refused an object for its size. */
export const isTooLargeWhole = (error: unknown) =>
  (error as { code?: string } | undefined)?.code === 'ERR_BUFFER_TOO_LARGE';

/**
 * Gives the memory of a buffer no longer used back now, not at the
 * isolate's next garbage collection — which waits for tens of MiB of
 * such buffers. Every view of the buffer turns empty: only for buffers
 * nothing else holds.
 */
export function releaseNow(buffer: ArrayBufferLike): void {
  // ES2024 (Node 22+); the compiler's library is older.
  const transferable = buffer as ArrayBuffer & {
    detached?: boolean;
    transfer?: (length: number) => ArrayBuffer;
  };
  if (buffer instanceof ArrayBuffer && transferable.detached === false) {
    transferable.transfer?.(0);
  }
}

/**
 * `releaseNow` for the buffers of views that each cover a whole buffer of
 * their own (not a slice of Node's shared pool or of a larger buffer,
 * which are left to the garbage collector).
 */
export function releaseViews(...views: ArrayBufferView[]): void {
  for (const view of views) {
    if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) {
      releaseNow(view.buffer);
    }
  }
}
