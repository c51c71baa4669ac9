import { InputError } from '@backstage/errors';
import { decodeCursor, encodeCursor } from './cursor';

const encode = (value: unknown) =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

describe('records cursors', () => {
  it('reads back the position it issued, for the same query only', () => {
    const cursor = encodeCursor({ key: 'events/a.gz', line: 7 }, 'query-1');
    expect(decodeCursor(cursor, 'query-1')).toEqual({
      key: 'events/a.gz',
      line: 7,
    });
    expect(() => decodeCursor(cursor, 'query-2')).toThrow(
      /belongs to another query/,
    );
  });

  it.each([
    ['null', 'bnVsbA'],
    ['a string', encode('x')],
    ['an array', encode([])],
    ['a number', encode(1)],
    ['a negative line', encode({ k: 'a', l: -1, q: '' })],
    ['a fractional line', encode({ k: 'a', l: 1.5, q: '' })],
    ['an empty key', encode({ k: '', l: 0, q: '' })],
    ['no query hash', encode({ k: 'a', l: 0 })],
    ['not JSON', 'not-base64!'],
  ])('answers %s with a 400, never a 500', (_, cursor) => {
    const attempt = () => decodeCursor(cursor, 'query-1');
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(
      "Invalid query parameter 'cursor': not a cursor this API issued",
    );
  });
});
