import { DATA_CLASSES } from '@internal/plugin-realtime-insights-common';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { FirehoseLocalConfig, defaultStreamConfig } from './config';
import { readConfigFile } from './configFile';
import { jsonLinesLogger } from './logger';
import { startFirehoseLocal } from './startFirehoseLocal';
import { lowerV8HelperThreadsPriority } from './threadPriority';

const USAGE = `Usage: firehose-local [--config <file.yaml|file.json>] [options]

A local Amazon Data Firehose-compatible server delivering to S3.

Options (override the config file):
  --config <file>               YAML or JSON config (see README); without "streams",
                                the three default rti-* streams are used
  --host <address>              listen address (default 127.0.0.1)
  --port <port>                 listen port (default 4573, 0 = any free port)
  --wal-dir <dir>               write-ahead log directory (default .firehose-local/wal)
  --s3-endpoint <url>           S3-compatible endpoint, e.g. http://127.0.0.1:4568
  --s3-access-key-id <id>       S3 credentials (else the AWS default chain)
  --s3-secret-access-key <key>
  --region <region>             region for ARNs and S3 (default us-east-1)
  -h, --help                    show this help

Ctrl-C / SIGTERM flushes buffered records and stops; a second one exits at
once (acknowledged records stay in the write-ahead log for the next start).
`;

function loadConfig(argv: string[]): FirehoseLocalConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'wal-dir': { type: 'string' },
      's3-endpoint': { type: 'string' },
      's3-access-key-id': { type: 'string' },
      's3-secret-access-key': { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const fromFile: Partial<FirehoseLocalConfig> = values.config
    ? readConfigFile(values.config)
    : {};
  const config: FirehoseLocalConfig = {
    ...fromFile,
    walDir: fromFile.walDir ?? path.resolve('.firehose-local/wal'),
    streams:
      fromFile.streams ??
      DATA_CLASSES.map(dataClass => defaultStreamConfig(dataClass)),
    s3: { ...fromFile.s3 },
  };
  if (values.host) config.host = values.host;
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port))
      throw new Error(`--port: '${values.port}' is not a port number`);
    config.port = port;
  }
  if (values['wal-dir']) config.walDir = path.resolve(values['wal-dir']);
  if (values.region) config.region = values.region;
  if (values['s3-endpoint']) config.s3!.endpoint = values['s3-endpoint'];
  if (values['s3-access-key-id'] || values['s3-secret-access-key']) {
    config.s3!.credentials = {
      accessKeyId: values['s3-access-key-id'] ?? '',
      secretAccessKey: values['s3-secret-access-key'] ?? '',
    };
  }
  return config;
}

async function main() {
  const logger = jsonLinesLogger();
  let config: FirehoseLocalConfig;
  try {
    config = loadConfig(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      `firehose-local: ${(error as Error).message}\n\n${USAGE}`,
    );
    process.exit(2);
  }
  const server = await startFirehoseLocal({ config, logger });
  // A process of its own: V8's helper threads can yield to the API's.
  lowerV8HelperThreadsPriority();
  process.stdout.write(`firehose-local listening on ${server.url}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn('second signal; exiting without flushing', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('stopping', { signal });
    server.stop().then(
      () => process.exit(0),
      error => {
        logger.error('stop failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch(error => {
  process.stderr.write(`firehose-local: ${(error as Error).message}\n`);
  process.exit(1);
});
