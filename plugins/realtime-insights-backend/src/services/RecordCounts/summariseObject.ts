import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';

/**
 * What one object contributes to record counts: events per minute (keyed by
 * the minute's start in epoch seconds), plus lines that could not be read.
 * Objects are immutable, so a summary is valid for as long as the object.
 */
export type ObjectSummary = {
  minutes: Map<number, number>;
  badLines: number;
  corrupt: boolean;
};

const GZIP_MAGIC = [0x1f, 0x8b];

/** Streams an object once: gunzip when needed, NDJSON line by line. */
export async function summariseObject(body: Readable): Promise<ObjectSummary> {
  const summary: ObjectSummary = {
    minutes: new Map(),
    badLines: 0,
    corrupt: false,
  };
  let rest = '';
  const countLine = (line: string) => {
    if (line.trim() === '') return;
    let ts: unknown;
    try {
      ts = (JSON.parse(line) as { ts?: unknown }).ts;
    } catch {
      summary.badLines += 1;
      return;
    }
    const ms = typeof ts === 'string' ? Date.parse(ts) : NaN;
    if (Number.isNaN(ms)) {
      summary.badLines += 1;
      return;
    }
    const minute = Math.floor(ms / 60_000) * 60;
    summary.minutes.set(minute, (summary.minutes.get(minute) ?? 0) + 1);
  };

  try {
    for await (const text of decodedText(body)) {
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(countLine);
    }
    countLine(rest);
  } catch {
    // A truncated or corrupt object counts as such; it never fails a query.
    return { minutes: new Map(), badLines: 0, corrupt: true };
  }
  return summary;
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
  const stream = isGzip ? source.pipe(createGunzip()) : source;
  if (isGzip) source.on('error', e => stream.destroy(e));
  stream.setEncoding('utf8');
  for await (const chunk of stream) yield chunk as string;
}

/** Compact JSON for the cache: `{"m":[[minuteSec,count],...],"b":bad,"c":0|1}`. */
export function encodeSummary(summary: ObjectSummary): string {
  return JSON.stringify({
    m: [...summary.minutes],
    b: summary.badLines,
    c: summary.corrupt ? 1 : 0,
  });
}

export function decodeSummary(text: string): ObjectSummary | undefined {
  try {
    const raw = JSON.parse(text) as {
      m: [number, number][];
      b: number;
      c: number;
    };
    return { minutes: new Map(raw.m), badLines: raw.b, corrupt: raw.c === 1 };
  } catch {
    return undefined;
  }
}
