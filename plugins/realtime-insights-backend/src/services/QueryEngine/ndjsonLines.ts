import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The lines of an NDJSON object, streamed: gunzipped when the bytes start
 * with the gzip magic (Firehose's GZIP output), as they are otherwise.
 * Throws when the compressed data is corrupt or truncated.
 */
export async function* ndjsonLines(body: Readable): AsyncGenerator<string> {
  let rest = '';
  for await (const text of decodedText(body)) {
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line) yield line;
  }
  if (rest) yield rest;
}

async function* decodedText(body: Readable): AsyncGenerator<string> {
  const iterator = body[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = Buffer.from(first.value);
  const isGzip = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  // The first chunk was consumed to sniff the format; put it back in front.
  const source = Readable.from(
    (async function* withHead() {
      yield head;
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
        yield Buffer.from(r.value);
      }
    })(),
  );
  // Large output chunks: fewer callbacks and string joins per object.
  const stream = isGzip
    ? source.pipe(createGunzip({ chunkSize: 256 * 1024 }))
    : source;
  if (isGzip) source.on('error', e => stream.destroy(e));
  stream.setEncoding('utf8');
  for await (const chunk of stream) yield chunk as string;
}
