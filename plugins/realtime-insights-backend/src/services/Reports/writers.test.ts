import ExcelJS from 'exceljs';
import { PassThrough, Writable } from 'node:stream';
import { EventLine, FieldTable } from '../events/EventLine';
import { CsvWriter, NdjsonWriter } from './textWriters';
import { createReportWriter, csvField } from './writers';
import { parseCsv } from './__testUtils__/parseCsv';
import { rng } from '../../__testUtils__/random';

/** Collects what a writer writes. */
class Collect extends Writable {
  chunks: Buffer[] = [];
  _write(chunk: Buffer, _encoding: string, callback: () => void) {
    this.chunks.push(chunk);
    callback();
  }
  get text() {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

const TRICKY = [
  'plain',
  '',
  'a,b',
  'say "hi"',
  'two\nlines',
  'cr\rhere',
  '=HYPERLINK("http://evil")',
  '+1+2',
  '-2+3+cmd|/C calc!A0',
  '@SUM(A1)',
  '\tleading tab',
  '\rleading cr',
  'ünïcødé ✓ 日本',
  'back\\slash',
  '=a,b',
  ' spaced ',
  'x;=HYPERLINK("http://evil")',
  'x,+cmd',
  'a;b',
  '＝1+1',
  '＠SUM(A1)',
  'x;＋1',
  'tab\there',
];

function randomValue(random: () => number): unknown {
  const r = random();
  if (r < 0.45) return TRICKY[Math.floor(random() * TRICKY.length)];
  if (r < 0.6) return Math.round((random() - 0.5) * 1e6) / 100;
  if (r < 0.65) return random() < 0.5;
  if (r < 0.7) return null;
  if (r < 0.75) return { nested: TRICKY[Math.floor(random() * 5)] };
  if (r < 0.8) return [1, 'two'];
  if (r < 0.85) return -0.000123e-10;
  return `v${Math.floor(random() * 1000)}`;
}

const COLUMNS = ['eventId', 'ts', 'a', 'b', 'c', 'missing'];

function randomEvents(n: number, seed: number) {
  const random = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const event: Record<string, unknown> = {
      eventId: `e${i}`,
      ts: new Date(Date.UTC(2026, 10, 24, 10, 0, i)).toISOString(),
    };
    for (const key of ['a', 'b', 'c', 'extra']) {
      if (random() < 0.9) event[key] = randomValue(random);
    }
    return event;
  });
}

/** Feeds events to a text writer through `EventLine`, as a row reader does. */
async function writeEvents(
  format: 'csv' | 'ndjson',
  lines: string[],
  columns: string[] | undefined,
) {
  const sink = new Collect();
  const fields = new FieldTable(columns ?? []);
  const writer =
    format === 'csv'
      ? new CsvWriter(sink, fields)
      : new NdjsonWriter(sink, fields);
  if (columns) writer.header(columns);
  const line = new EventLine(fields);
  let flat = 0;
  for (const text of lines) {
    const bytes = Buffer.from(text);
    line.read(bytes, 0, bytes.length);
    if (line.flat) flat++;
    writer.event(line);
    if (writer.full) await writer.flush();
  }
  await writer.end();
  return { text: sink.text, flat };
}

describe('csvField', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+SUM(A1)', "'+SUM(A1)"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tx', `"'\tx"`], // a tab separates cells in some locales: quoted
    ['\rx', `"'\rx"`],
    ['=a,b', `"'=a,b"`],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['plain', 'plain'],
    ['', ''],
    // Semicolon locales split at ';': quoted, and a formula after it
    // neutralised (OWASP).
    ['x;=HYPERLINK("http://evil")', `"'x;=HYPERLINK(""http://evil"")"`],
    ['a;b', '"a;b"'],
    ['x,+cmd', `"'x,+cmd"`],
    ['tab\there', '"tab\there"'],
    ['x\t@SUM(A1)', `"'x\t@SUM(A1)"`],
    // Full-width forms are formulas too.
    ['＝1+1', "'＝1+1"],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠SUM(A1)', "'＠SUM(A1)"],
    ['x;＝1', `"'x;＝1"`],
  ])('writes %j as %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('keeps JSON numbers and booleans as they are, and objects as JSON', () => {
    expect(csvField(-5)).toBe('-5');
    expect(csvField(1.5e-7)).toBe('1.5e-7');
    expect(csvField(true)).toBe('true');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField({ a: 1, b: '=x' })).toBe('"{""a"":1,""b"":""=x""}"');
  });
});

describe('report writers', () => {
  const events = randomEvents(3000, 7);
  const lines = events.map(e => JSON.stringify(e));

  it('writes CSV from the bytes exactly as from parsed events, neutralising formulas', async () => {
    const fast = await writeEvents('csv', lines, COLUMNS);
    // The reference: every value through JSON.parse and csvField.
    const expected = [
      COLUMNS.join(','),
      ...events.map(e => COLUMNS.map(c => csvField(e[c])).join(',')),
    ].join('\r\n');
    expect(fast.text).toBe(`${expected}\r\n`);
    // Most lines took the in-place path, the rest the parser.
    expect(fast.flat).toBeGreaterThan(500);
    expect(fast.flat).toBeLessThan(events.length);

    const rows = parseCsv(fast.text);
    expect(rows).toHaveLength(events.length + 1);
    expect(rows.every(row => row.length === COLUMNS.length)).toBe(true);
    // Only JSON numbers may start with a formula character (a minus).
    const formulaLike = rows.flat().filter(cell => /^[=+\-@\t\r]/.test(cell));
    expect(formulaLike.length).toBeGreaterThan(0);
    expect(formulaLike.filter(cell => !/^-\d[\d.e-]*$/.test(cell))).toEqual([]);
    const injected = rows.find(
      (_, i) => events[i - 1]?.a === '=HYPERLINK("http://evil")',
    );
    expect(injected?.[2]).toBe(`'=HYPERLINK("http://evil")`);
  });

  it('writes chosen NDJSON columns exactly as JSON.stringify would, and stored lines as they were', async () => {
    const projected = await writeEvents('ndjson', lines, [
      'a',
      'missing',
      'ts',
    ]);
    expect(projected.text).toBe(
      events
        .map(
          e =>
            `${JSON.stringify({ a: e.a ?? null, missing: null, ts: e.ts })}\n`,
        )
        .join(''),
    );
    const stored = await writeEvents('ndjson', lines, undefined);
    expect(stored.text).toBe(lines.map(l => `${l}\n`).join(''));
  });

  it('writes rows whose columns are named like object properties', async () => {
    const sink = new Collect();
    const writer = new NdjsonWriter(sink, new FieldTable([]));
    const columns = ['__proto__', 'constructor', 'count'];
    writer.setColumns(columns);
    writer.row(['a', 'b', 3]);
    await writer.end();
    expect(JSON.parse(sink.text)).toEqual(
      JSON.parse('{"__proto__":"a","constructor":"b","count":3}'),
    );
    expect(Object.keys(JSON.parse(sink.text))).toEqual(columns);
  });

  it('writes XLSX that Excel readers open, strings as text cells', async () => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', c => chunks.push(c));
    const writer = createReportWriter('xlsx', sink, { name: 'events' });
    writer.header(COLUMNS);
    // As exports feed it: events formatted as NDJSON rows of the columns
    // (`rowFormatOf('xlsx')`), handed over a few rows at a time.
    const fields = new FieldTable(COLUMNS);
    const rows = new NdjsonWriter(undefined, fields);
    rows.setColumns(COLUMNS);
    const line = new EventLine(fields);
    for (const [i, text] of lines.slice(0, 200).entries()) {
      const bytes = Buffer.from(text);
      line.read(bytes, 0, bytes.length);
      rows.event(line);
      if (i % 7 === 6) {
        const batch = rows.take();
        writer.formatted(batch, 0, batch.length);
        if (writer.full) await writer.flush();
      }
    }
    const last = rows.take();
    writer.formatted(last, 0, last.length);
    await writer.end();
    expect(writer.bytesWritten).toBe(Buffer.concat(chunks).length);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('events')!;
    expect(sheet.getRow(1).values).toEqual([undefined, ...COLUMNS]);
    expect(sheet.rowCount).toBe(201);
    // What a cell holds: JSON for objects, no value for null, missing and
    // empty text; XML turns a lone CR into a line feed (exceljs does not
    // escape it).
    const cellOf = (value: unknown) => {
      if (value === undefined || value === null || value === '') return null;
      if (typeof value === 'object') return JSON.stringify(value);
      if (typeof value === 'string') return value.replace(/\r/g, '\n');
      return value;
    };
    const read = events
      .slice(0, 200)
      .map((_, i) =>
        COLUMNS.map((__, c) => sheet.getRow(i + 2).getCell(c + 1).value),
      );
    expect(read).toEqual(
      events.slice(0, 200).map(e => COLUMNS.map(c => cellOf(e[c]))),
    );
  });

  it('hands large spans of formatted rows to the sink as they are, in order with the rows it copies', async () => {
    const fields = new FieldTable(COLUMNS);
    const reader = new CsvWriter(undefined, fields);
    reader.setColumns(COLUMNS);
    const line = new EventLine(fields);
    /** Rows of `lines[from, to)`, formatted as a worker formats them. */
    const batch = (from: number, to: number) => {
      for (const text of lines.slice(from, to)) {
        const bytes = Buffer.from(text);
        line.read(bytes, 0, bytes.length);
        reader.event(line);
      }
      const rows = reader.take();
      // Each taken batch owns its memory (it can be transferred or freed).
      expect(rows.byteOffset).toBe(0);
      expect(rows.buffer.byteLength).toBe(rows.length);
      return rows;
    };
    const sink = new Collect();
    const writer = new CsvWriter(sink, fields);
    writer.header(COLUMNS);
    const batches = [
      batch(0, 2),
      batch(2, 1002),
      batch(1002, 1005),
      batch(1005, 2005),
      batch(2005, 3000),
    ];
    for (const rows of batches) {
      writer.formatted(rows, 0, rows.length);
      if (writer.full) await writer.flush();
    }
    // A span from inside a batch: a run of rows between duplicates.
    const last = batches[2];
    writer.formatted(last, 0, last.indexOf('\r\n') + 2);
    await writer.end();

    const expected = (await writeEvents('csv', lines, COLUMNS)).text;
    const again = (await writeEvents('csv', [lines[1002]], COLUMNS)).text.slice(
      COLUMNS.join(',').length + 2, // without the header row
    );
    expect(sink.text).toBe(`${expected}${again}`);
    expect(writer.bytesWritten).toBe(Buffer.byteLength(sink.text));
    // The large batches went on without a copy; the small ones were copied.
    const passed = batches.filter(rows =>
      sink.chunks.some(chunk => chunk.buffer === rows.buffer),
    );
    expect(passed).toEqual([batches[1], batches[3], batches[4]]);
  });

  it('waits for a slow sink instead of buffering the report', async () => {
    let pending = 0;
    let maxPending = 0;
    const slow = new Writable({
      highWaterMark: 64 * 1024,
      write(_chunk, _encoding, callback) {
        pending++;
        maxPending = Math.max(maxPending, pending);
        setTimeout(() => {
          pending--;
          callback();
        }, 1);
      },
    });
    const fields = new FieldTable(COLUMNS);
    const writer = new CsvWriter(slow, fields);
    writer.header(COLUMNS);
    const line = new EventLine(fields);
    const bytes = Buffer.from(lines[0]);
    for (let i = 0; i < 30_000; i++) {
      line.read(bytes, 0, bytes.length);
      writer.event(line);
      if (writer.full) await writer.flush();
      expect(slow.writableLength).toBeLessThanOrEqual(512 * 1024);
    }
    await writer.end();
    expect(maxPending).toBe(1);
  });
});
