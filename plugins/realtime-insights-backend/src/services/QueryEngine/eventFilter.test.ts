import { EventLine, FieldTable } from '../events/EventLine';
import { eventFilter, lineFilter } from './eventFilter';

describe('lineFilter', () => {
  it('answers as eventFilter does on the parsed event', () => {
    const filters = [
      { field: 'status', values: ['declined', 'true', '1500', 'null'] },
      { field: 'currency', values: ['café', 'USD'] },
    ];
    const fields = new FieldTable(['ts', 'status', 'currency']);
    const onLine = lineFilter(filters, fields);
    const onEvent = eventFilter(filters);
    const line = new EventLine(fields);
    const statuses = [
      '"declined"',
      '"approved"',
      'true',
      '1500',
      '1.5e3',
      'null',
    ];
    const currencies = ['"USD"', '"café"', '"EUR"', '1', null];
    let matches = 0;
    for (const status of statuses) {
      for (const currency of currencies) {
        const text = `{"status":${status}${
          currency === null ? '' : `,"currency":${currency}`
        }}`;
        const bytes = Buffer.from(text);
        line.read(bytes, 0, bytes.length);
        expect(line.flat).toBe(true);
        const expected = onEvent(JSON.parse(text));
        expect([text, onLine(line)]).toEqual([text, expected]);
        if (expected) matches++;
      }
    }
    expect(matches).toBe(8); // 4 statuses × 2 currencies
  });
});
