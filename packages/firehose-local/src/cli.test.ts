import { ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { stringify as toYaml } from 'yaml';
import * as path from 'node:path';
import {
  FirehoseClient,
  PutRecordBatchCommand,
} from '@aws-sdk/client-firehose';
import {
  LocalS3,
  LOCAL_S3_CREDENTIALS as S3RVER_CREDENTIALS,
  startLocalS3,
} from '@internal/local-s3';
import { tempDir, toData } from './__testUtils__/records';
import { startFirehoseLocal } from './startFirehoseLocal';

const BIN = path.resolve(__dirname, '../bin/firehose-local');

/** Starts the CLI in a child process; resolves with its URL once listening. */
function startCli(configFile: string) {
  const child = spawn(
    process.execPath,
    [BIN, '--config', configFile, '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', chunk => {
    stderr += chunk;
  });
  const url = new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', chunk => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.once('exit', code =>
      reject(new Error(`CLI exited with ${code}: ${stderr}`)),
    );
  });
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', (code, signal) =>
      resolve(code ?? (signal as unknown as number)),
    ),
  );
  return { child, url, exited };
}

describe('firehose-local CLI', () => {
  let s3: LocalS3;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    s3 = await startLocalS3(['cli-bucket']);
  });
  afterAll(async () => {
    await s3.stop();
  });
  beforeEach(() => {
    dir = tempDir('cli');
  });
  afterEach(() => {
    for (const child of children.splice(0))
      if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const config = () => ({
    walDir: path.join(dir, 'wal'),
    s3: { endpoint: s3.endpoint, credentials: S3RVER_CREDENTIALS },
    streams: [
      {
        name: 'cli',
        bucket: 'cli-bucket',
        prefix: `${path.basename(dir)}/`,
        compression: 'UNCOMPRESSED' as const,
        newlineDelimiter: true,
        bufferingHints: { sizeInMBs: 128, intervalInSeconds: 900 },
      },
    ],
  });

  async function put(url: string, records: string[]) {
    const firehose = new FirehoseClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const response = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'cli',
        Records: records.map(r => ({ Data: toData(r) })),
      }),
    );
    firehose.destroy();
    expect(response.FailedPutCount).toBe(0);
  }

  const delivered = async () => {
    const lines: string[] = [];
    for (const key of await s3.listKeys(
      'cli-bucket',
      `${path.basename(dir)}/`,
    )) {
      lines.push(
        ...(await s3.readText('cli-bucket', key)).split('\n').filter(Boolean),
      );
    }
    return lines.sort();
  };

  it('reads a YAML config, flushes on SIGTERM and exits 0', async () => {
    const file = path.join(dir, 'firehose-local.yaml');
    writeFileSync(file, toYaml(config()));
    const cli = startCli(file);
    children.push(cli.child);
    await put(await cli.url, ['t1', 't2']);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(await delivered()).toEqual(['t1', 't2']);
  });

  it('names the file and the problem when the config cannot be parsed', async () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, 'streams: [unclosed\n');
    const cli = startCli(file);
    children.push(cli.child);
    await expect(cli.url).rejects.toThrow(
      /config file .*broken\.yaml is not valid YAML/,
    );
    expect(await cli.exited).toBe(2);
  });

  it('delivers acknowledged records after SIGKILL', async () => {
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config()));
    const cli = startCli(file);
    children.push(cli.child);
    const url = await cli.url;
    const sent = Array.from(
      { length: 200 },
      (_, i) => `k${String(i).padStart(3, '0')}`,
    );
    await Promise.all([
      put(url, sent.slice(0, 100)),
      put(url, sent.slice(100)),
    ]);
    cli.child.kill('SIGKILL');
    await cli.exited;
    expect(await delivered()).toEqual([]);

    const restarted = await startFirehoseLocal({
      config: { ...config(), port: 0 },
    });
    await restarted.flush();
    await restarted.stop();
    expect(await delivered()).toEqual(sent);
  });
});
