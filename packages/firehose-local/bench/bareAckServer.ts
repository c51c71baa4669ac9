// The baseline of the ingest benchmark: a server that parses a
// PutRecordBatch body and acknowledges every record at once — no log, no
// fsync, no buffering. What firehose-local adds is measured against it.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', chunk => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      Records: Array<{ Data: string }>;
    };
    const responses = body.Records.map(() => ({
      RecordId: randomBytes(36).toString('base64url'),
    }));
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    res.end(
      JSON.stringify({
        FailedPutCount: 0,
        Encrypted: false,
        RequestResponses: responses,
      }),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`,
  );
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
