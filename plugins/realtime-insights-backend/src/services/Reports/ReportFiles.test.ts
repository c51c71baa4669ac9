import { LocalS3, startLocalS3 } from '@internal/local-s3';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { ReportFiles } from './ReportFiles';
import { readBody } from './__testUtils__/reportFixture';

const BUCKET = `rti-report-files-unit-${process.pid}`;

/** Writes `data` in 64 KiB chunks, honouring back-pressure. */
async function writeAll(stream: Writable, data: Buffer) {
  for (let at = 0; at < data.length; at += 64 * 1024) {
    if (!stream.write(data.subarray(at, at + 64 * 1024))) {
      await once(stream, 'drain');
    }
  }
  stream.end();
}

describe('ReportFiles (real s3rver)', () => {
  let s3: LocalS3;
  let files: ReportFiles;

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    files = new ReportFiles(s3.client, () => ({ bucket: BUCKET }));
  });
  afterAll(() => s3.stop());

  it('stores a large file as a multipart upload and reads it back intact', async () => {
    const data = randomBytes(29 * 1024 * 1024); // 4 parts, the last short
    const upload = files.upload('reports/big.bin', 'application/octet-stream');
    await writeAll(upload.stream, data);
    expect(await upload.done).toBe(data.length);
    const file = await files.open('reports/big.bin');
    expect(file.size).toBe(data.length);
    expect((await readBody(file.body)).equals(data)).toBe(true);
  }, 60_000);

  it('stores a small file with one request', async () => {
    const upload = files.upload('reports/small.csv', 'text/csv');
    await writeAll(upload.stream, Buffer.from('a,b\r\n1,2\r\n'));
    expect(await upload.done).toBe(10);
    expect(await s3.readText(BUCKET, 'reports/small.csv')).toBe(
      'a,b\r\n1,2\r\n',
    );
    await files.delete('reports/small.csv');
    expect(await s3.listKeys(BUCKET, 'reports/small')).toEqual([]);
  });

  it('leaves nothing under the key when the upload is stopped', async () => {
    const upload = files.upload(
      'reports/stopped.bin',
      'application/octet-stream',
    );
    upload.stream.write(randomBytes(9 * 1024 * 1024));
    upload.stream.destroy(new Error('cancelled'));
    await expect(upload.done).rejects.toThrow('cancelled');
    expect(await s3.listKeys(BUCKET, 'reports/stopped')).toEqual([]);
  });

  it('fails the upload when the bucket does not exist', async () => {
    const broken = new ReportFiles(s3.client, () => ({
      bucket: 'rti-no-such-bucket',
    }));
    const upload = broken.upload('reports/x.bin', 'application/octet-stream');
    const failed = once(upload.stream, 'error');
    await writeAll(upload.stream, randomBytes(20 * 1024 * 1024)).catch(
      () => {},
    );
    const [error] = await failed;
    expect(String(error)).toMatch(/bucket/i);
    await expect(upload.done).rejects.toThrow(/bucket/i);
  }, 60_000);
});
