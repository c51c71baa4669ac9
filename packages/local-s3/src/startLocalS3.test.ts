import { gzipSync } from 'node:zlib';
import { startLocalS3 } from './startLocalS3';

describe('startLocalS3', () => {
  it('serves buckets over the S3 API and lists nested keys without loss', async () => {
    const s3 = await startLocalS3(['a-bucket']);
    try {
      await s3.put(
        'a-bucket',
        'x/year=2026/month=11/one.gz',
        gzipSync('hello\n'),
      );
      await s3.put('a-bucket', 'x/year=2026/two', 'world\n');
      expect(await s3.listKeys('a-bucket', 'x/')).toEqual([
        'x/year=2026/month=11/one.gz',
        'x/year=2026/two',
      ]);
      expect(await s3.readText('a-bucket', 'x/year=2026/month=11/one.gz')).toBe(
        'hello\n',
      );
      // Streamed bodies must arrive intact (the checksum pitfall).
      const big = Buffer.alloc(3 * 1024 * 1024, 7);
      await s3.put('a-bucket', 'big', big);
      expect((await s3.getObject('a-bucket', 'big')).equals(big)).toBe(true);
    } finally {
      await s3.stop();
    }
  });
});
