import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-realtime-insights-backend',
  'migrations',
);

/**
 * The plugin's database client, migrated to the latest schema (unless the
 * deployment runs migrations itself). SQLite locally, PostgreSQL in
 * production; the migrations in `migrations/` work on both.
 */
export async function migrateDatabase(
  database: DatabaseService,
): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await client.migrate.latest({ directory: migrationsDir });
  }
  return client;
}
