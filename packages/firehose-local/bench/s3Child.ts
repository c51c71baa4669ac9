// Runs the local S3 server in its own process so it does not share a core
// with the load generator. Prints its endpoint as one JSON line.
import { startLocalS3 } from '@internal/local-s3';

async function main() {
  const buckets = JSON.parse(process.argv[2]) as string[];
  const s3 = await startLocalS3({ buckets, directory: process.argv[3] });
  process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint })}\n`);
  process.on('SIGTERM', () => void s3.stop().then(() => process.exit(0)));
}

main();
