import { TestDatabaseId } from '@backstage/backend-test-utils';
import { spawnSync } from 'node:child_process';

const POSTGRES_VERSIONS = [18, 17, 16, 15, 14, 13, 12, 11, 9];
const envName = (major: number) =>
  `BACKSTAGE_TEST_DATABASE_POSTGRES${major}_CONNECTION_STRING`;

/** The local PostgreSQL the tests use when one answers (trust auth). */
export const LOCAL_POSTGRES_URL =
  process.env.RTI_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';

/**
 * The databases the report tests run on: SQLite always; PostgreSQL when a
 * `BACKSTAGE_TEST_DATABASE_POSTGRES<n>_CONNECTION_STRING` names one, or when
 * one answers on 127.0.0.1:5432 (then that variable is set for it, by its
 * major version). `skipped` says why PostgreSQL is not among them, so the
 * tests can show a skipped case rather than pass silently.
 */
export function reportTestDatabases(): {
  ids: TestDatabaseId[];
  skipped?: string;
} {
  for (const major of POSTGRES_VERSIONS) {
    if (process.env[envName(major)]) {
      return { ids: ['SQLITE_3', `POSTGRES_${major}` as TestDatabaseId] };
    }
  }
  // Synchronous (test cases are declared synchronously): ask a child.
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const { Client } = require(${JSON.stringify(require.resolve('pg'))});
       const c = new Client({ connectionString: ${JSON.stringify(
         LOCAL_POSTGRES_URL,
       )}, connectionTimeoutMillis: 2000 });
       c.connect()
         .then(() => c.query('SHOW server_version_num'))
         .then(r => { console.log(r.rows[0].server_version_num); return c.end(); })
         .catch(e => { console.error(e.message); process.exit(1); });`,
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  const major = Math.floor(Number(probe.stdout.trim()) / 10_000);
  if (probe.status !== 0 || !POSTGRES_VERSIONS.includes(major)) {
    return {
      ids: ['SQLITE_3'],
      skipped: `no PostgreSQL at ${LOCAL_POSTGRES_URL} (${
        probe.stderr.trim() || 'no answer'
      })`,
    };
  }
  process.env[envName(major)] = LOCAL_POSTGRES_URL;
  return { ids: ['SQLITE_3', `POSTGRES_${major}` as TestDatabaseId] };
}
