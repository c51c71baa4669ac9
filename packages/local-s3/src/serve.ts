/*
 * Runs the local S3 server as a process of its own (benchmarks use it so
 * S3 does not share a core with what they measure):
 *   node --import tsx packages/local-s3/src/serve.ts '["bucket-a"]' <directory>
 * Prints `{"endpoint": "http://127.0.0.1:<port>"}` once listening; SIGTERM stops it.
 */
import { startLocalS3 } from './startLocalS3';

async function main() {
  const buckets = JSON.parse(process.argv[2] ?? '[]') as string[];
  const s3 = await startLocalS3({ buckets, directory: process.argv[3] });
  process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint })}\n`);
  process.on('SIGTERM', () => {
    s3.stop().then(() => process.exit(0));
  });
}

main();
