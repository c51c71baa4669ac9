import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { spawnSync } from 'node:child_process';

/** The local PostgreSQL of the dev machine and CI (trust auth). */
const LOCAL_POSTGRES = 'postgresql://postgres@127.0.0.1:5432';

/** Whether something accepts TCP connections there, asked synchronously. */
function answers(url: string): boolean {
  const { hostname, port } = new URL(url);
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const s=require('node:net').connect(${Number(
        port || 5432,
      )},${JSON.stringify(
        hostname,
      )});s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(1),1500);`,
    ],
    { timeout: 3000 },
  );
  return probe.status === 0;
}

/**
 * SQLite always, and PostgreSQL when one answers: the one a
 * `BACKSTAGE_TEST_DATABASE_POSTGRES<version>_CONNECTION_STRING` names, else
 * the local one on 127.0.0.1:5432. Decided while Jest collects the tests
 * (synchronously), so PostgreSQL cases show as skipped when there is none.
 */
export function settingsTestDatabases(): {
  databases: TestDatabases;
  sqlite: TestDatabaseId;
  postgres: TestDatabaseId | undefined;
} {
  const configured = Object.keys(process.env)
    .map(name =>
      name.match(/^BACKSTAGE_TEST_DATABASE_POSTGRES(\d+)_CONNECTION_STRING$/),
    )
    .find(Boolean);
  let postgres: TestDatabaseId | undefined;
  if (configured) {
    postgres = `POSTGRES_${configured[1]}` as TestDatabaseId;
    if (!answers(process.env[configured[0]]!)) postgres = undefined;
  } else if (answers(LOCAL_POSTGRES)) {
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING =
      LOCAL_POSTGRES;
    postgres = 'POSTGRES_16';
  }
  const ids: TestDatabaseId[] = ['SQLITE_3', ...(postgres ? [postgres] : [])];
  return {
    databases: TestDatabases.create({ ids, disableDocker: true }),
    sqlite: 'SQLITE_3',
    postgres,
  };
}
