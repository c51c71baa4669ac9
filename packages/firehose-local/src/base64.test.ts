import { randomBytes } from 'node:crypto';
import { isBase64 } from './firehoseApi';

const REFERENCE =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

describe('isBase64', () => {
  it('accepts what Buffer encodes, at every padding length', () => {
    for (let n = 0; n < 200; n++) {
      const text = randomBytes(n).toString('base64');
      expect(isBase64(text)).toBe(true);
    }
  });

  it('agrees with the strict regular expression on damaged inputs', () => {
    const alphabet =
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .é\n';
    for (let n = 0; n < 5000; n++) {
      const chars = randomBytes(1 + (n % 13))
        .toString('base64')
        .split('');
      // Replace one or two characters with anything, padding included.
      for (let k = 0; k <= n % 2; k++) {
        chars[(n * 7 + k) % chars.length] =
          alphabet[(n * 31 + k * 17) % alphabet.length];
      }
      const text = chars.join('');
      expect([text, isBase64(text)]).toEqual([text, REFERENCE.test(text)]);
    }
    for (const text of ['=', '==', 'A===', 'AB=C', 'ABC', 'AB==AB==', 'A=BC']) {
      expect([text, isBase64(text)]).toEqual([text, REFERENCE.test(text)]);
    }
  });
});
