import { rng } from '../../__testUtils__/random';
import { hashString64 } from '../sketches/hashString64';
import { EventLine, FieldTable } from './EventLine';

describe('EventLine', () => {
  const fields = new FieldTable(['a', 'ts']);
  const read = (text: string) => {
    const line = new EventLine(fields);
    const bytes = Buffer.from(text);
    line.read(bytes, 0, bytes.length);
    return line;
  };

  it('reads flat objects in place', () => {
    const line = read(
      ' {"x": [1], "a" : "v,1" , "ts":"2026-11-24T10:00:01.250Z"}\r',
    );
    expect(line.flat).toBe(false); // an array value: left to JSON.parse
    const flat = read('{"x":1e3,"a":"v,1","ts":"2026-11-24T10:00:01.250Z"}');
    expect(flat.flat).toBe(true);
    expect(flat.text(0)).toBe('v,1');
    expect(flat.time(1)).toBe(Date.parse('2026-11-24T10:00:01.250Z'));
  });

  it('leaves escapes, nesting and anything malformed to JSON.parse', () => {
    for (const text of [
      '{"a":"q\\"uote"}',
      '{"a":{"b":1}}',
      '{"a":01}',
      '{"a":1,}',
      '{"a":tru}',
      '{"a":"x"',
      '["a"]',
      '{"a":"x"}}',
    ]) {
      expect(read(text).flat).toBe(false);
    }
    // A string left open: the scan stops at the line's end (its newline,
    // or the end of the buffer), never taking a later line's quote.
    const lines = Buffer.from('{"a":"open}\n{"a":"x"}\n{"ts":"open}');
    const line = new EventLine(fields);
    line.read(lines, 0, 11);
    expect(line.flat).toBe(false);
    line.read(lines, 22, lines.length);
    expect(line.flat).toBe(false);
    expect(line.event()).toBeNull();
    line.read(lines, 12, 21);
    expect(line.flat).toBe(true);
    expect(read('{"a":"q\\"uote"}').event()).toEqual({ a: 'q"uote' });
    expect(read('{"a":1,}').event()).toBeNull();
    expect(read('["a"]').event()).toBeNull();
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    const line = read('{"a":"first","a":"second"}');
    expect(line.flat).toBe(true);
    expect(line.text(0)).toBe('second');
  });

  it('reads non-canonical times through Date.parse', () => {
    expect(read('{"ts":"2026-11-24T10:00:01Z"}').time(1)).toBe(
      Date.parse('2026-11-24T10:00:01Z'),
    );
    expect(read('{"ts":"yesterday"}').time(1)).toBeNaN();
    expect(read('{"ts":5}').time(1)).toBeNaN();
  });

  it('reads numbers exactly as JSON.parse does', () => {
    const random = rng(7);
    const texts = [
      '0',
      '-0',
      '1e3',
      '-2.5E-3',
      '12345678901234567890',
      '0.1',
      '1.000000000000000000000001',
      '9007199254740993',
      '123.4500',
    ];
    for (let i = 0; i < 20_000; i++) {
      const digits = 1 + Math.floor(random() * 17);
      const scale = Math.floor(random() * (digits + 3));
      const n = Math.floor(random() * 10 ** digits);
      texts.push((random() < 0.5 ? '-' : '') + (n / 10 ** scale).toString());
      texts.push(
        `${Math.floor(random() * 1e6)}.${String(n).padStart(scale, '0')}`,
      );
    }
    for (const text of texts) {
      if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) continue;
      const line = read(`{"a":${text}}`);
      expect(line.flat).toBe(true);
      expect(Object.is(line.number(0), JSON.parse(text))).toBe(true);
    }
    expect(read('{"a":"1"}').number(0)).toBeNaN();
    expect(read('{"a":true}').number(0)).toBeNaN();
    expect(read('{"a":null}').number(0)).toBeNaN();
    expect(read('{"ts":1}').number(0)).toBeNaN();
  });

  it('gives the text and hash String(value) of the parsed value has', () => {
    const out = new Uint32Array(2);
    const expected = new Uint32Array(2);
    for (const json of [
      '"café"',
      '"温度"',
      '"x"',
      '""',
      'true',
      'false',
      'null',
      '7',
      '7.0',
      '1e3',
      '-0',
      '0.10',
    ]) {
      const line = read(`{"a":${json}}`);
      const text = String(JSON.parse(json));
      expect(line.text(0)).toBe(text);
      expect(line.hashText(0, out)).toBe(true);
      hashString64(text, expected);
      expect([...out]).toEqual([...expected]);
    }
    expect(read('{"ts":1}').text(0)).toBeUndefined();
    expect(read('{"ts":1}').hashText(0, out)).toBe(false);
  });
});
