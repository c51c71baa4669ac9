import { rng } from '../../__testUtils__/random';
import { LineSplitter } from './LineSplitter';

/** The lines a splitter hands over for `text` cut at random places. */
function split(text: string, seed: number): string[] {
  const random = rng(seed);
  const bytes = Buffer.from(text);
  const lines = new LineSplitter();
  const out: string[] = [];
  const take = () => {
    while (lines.next()) {
      out.push(lines.bytes.toString('utf8', lines.start, lines.end));
    }
  };
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * 12);
    lines.push(bytes.subarray(at, at + size));
    take();
    at += size;
  }
  lines.finish();
  take();
  return out;
}

describe('LineSplitter', () => {
  it.each([1, 2, 3, 4, 5])(
    'gives the non-empty lines whatever the chunks (seed %d)',
    seed => {
      const text = '{"a":1}\n\n{"b":"温度"}\nlong line without end '.repeat(7);
      expect(split(text, seed)).toEqual(text.split('\n').filter(Boolean));
      expect(split(`${text}\n`, seed)).toEqual(
        text.split('\n').filter(Boolean),
      );
    },
  );

  it('gives nothing for empty input and blank lines', () => {
    expect(split('', 1)).toEqual([]);
    expect(split('\n\n\n', 1)).toEqual([]);
  });
});
