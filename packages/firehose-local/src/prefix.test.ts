import {
  evaluatePrefix,
  formatTimestamp,
  objectName,
  randomString,
  validatePrefixExpression,
} from './prefix';

const at = Date.UTC(2026, 0, 5, 7, 8, 9, 123);

describe('prefix expressions', () => {
  it('formats Java DateTimeFormatter patterns in UTC', () => {
    expect(formatTimestamp('yyyy/MM/dd/HH', at)).toBe('2026/01/05/07');
    expect(formatTimestamp("yyyy-MM-dd'T'HH:mm:ss.SSS", at)).toBe(
      '2026-01-05T07:08:09.123',
    );
    expect(formatTimestamp('yy M d H', at)).toBe('26 1 5 7');
    expect(formatTimestamp("'it''s' yyyy", at)).toBe("it's 2026");
  });

  it('evaluates timestamp and firehose expressions', () => {
    expect(
      evaluatePrefix(
        'events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
        at,
      ),
    ).toBe('events/year=2026/month=01/day=05/hour=07/');
    expect(
      evaluatePrefix(
        'errors/!{firehose:error-output-type}/!{timestamp:yyyy}/',
        at,
        'processing-failed',
      ),
    ).toBe('errors/processing-failed/2026/');
    expect(evaluatePrefix('r/!{firehose:random-string}/', at)).toMatch(
      /^r\/[a-zA-Z0-9]{11}\/$/,
    );
    expect(randomString()).not.toEqual(randomString());
  });

  it('appends the default time folders to a prefix without expressions', () => {
    expect(evaluatePrefix('interactions/', at)).toBe(
      'interactions/2026/01/05/07/',
    );
    expect(evaluatePrefix('', at)).toBe('2026/01/05/07/');
    expect(evaluatePrefix('errs/', at, 's3-failed')).toBe(
      'errs/s3-failed/2026/01/05/07/',
    );
  });

  it('names objects like Firehose', () => {
    expect(objectName('rti-x', at, '.gz')).toMatch(
      /^rti-x-1-2026-01-05-07-08-09-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}\.gz$/,
    );
  });

  it('validates templates', () => {
    expect(
      validatePrefixExpression('a/!{timestamp:yyyy}/', 'prefix'),
    ).toBeUndefined();
    expect(validatePrefixExpression('a/', 'errorOutputPrefix')).toBeUndefined();
    expect(
      validatePrefixExpression('a/!{partitionKeyFromQuery:id}/', 'prefix'),
    ).toMatch(/unsupported expression namespace/);
    expect(validatePrefixExpression('a/!{firehose:nope}/', 'prefix')).toMatch(
      /unknown expression/,
    );
  });
});
