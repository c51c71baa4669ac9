import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { reportTestDatabases } from '../services/Reports/__testUtils__/testDatabases';

const directory = resolvePackagePath(
  '@internal/plugin-realtime-insights-backend',
  'migrations',
);
const { ids, skipped } = reportTestDatabases();
const databases = TestDatabases.create({ ids });
const DAY = 86_400_000;
const FINISHED = Date.parse('2026-11-24T10:00:00Z');
/** What retentionDays = 1e12 left behind: a bigint no Date can hold. */
const UNREADABLE = 9e18;

describe('migrations', () => {
  if (skipped) {
    // eslint-disable-next-line jest/no-disabled-tests, jest/expect-expect
    it.skip(`on PostgreSQL: skipped, ${skipped}`, () => {});
  }

  it.each(ids)(
    'repair report expiry times written without bounds (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory });
      // Back to before the repair, with the rows it must repair.
      await knex.migrate.down({ directory });
      const job = (id: string, expiresAt: number | null) => ({
        id,
        created_by: 'user:default/mia',
        stream: 'interactions',
        kind: 'raw',
        format: 'csv',
        request: '{}',
        status: 'succeeded',
        max_attempts: 3,
        file_name: 'a.csv',
        created_at: FINISHED - 60_000,
        updated_at: FINISHED,
        finished_at: FINISHED,
        expires_at: expiresAt,
      });
      await knex('report_jobs').insert([
        job('broken', UNREADABLE),
        job('fine', FINISHED + 7 * DAY),
        job('running', null),
      ]);
      await knex('report_shares').insert([
        {
          id: 'share-broken',
          report_id: 'fine',
          created_by: 'user:default/mia',
          created_at: FINISHED,
          expires_at: UNREADABLE,
        },
        {
          id: 'share-fine',
          report_id: 'fine',
          created_by: 'user:default/mia',
          created_at: FINISHED,
          expires_at: FINISHED + 3_600_000,
        },
      ]);

      await knex.migrate.latest({ directory });

      const expiry = async (table: string, id: string) => {
        const row = await knex(table).where({ id }).first('expires_at');
        return row.expires_at === null ? null : Number(row.expires_at);
      };
      expect(await expiry('report_jobs', 'broken')).toBe(FINISHED + 3650 * DAY);
      expect(await expiry('report_jobs', 'fine')).toBe(FINISHED + 7 * DAY);
      expect(await expiry('report_jobs', 'running')).toBeNull();
      expect(await expiry('report_shares', 'share-broken')).toBe(
        FINISHED + 8760 * 3_600_000,
      );
      expect(await expiry('report_shares', 'share-fine')).toBe(
        FINISHED + 3_600_000,
      );
      // Every time is a date again.
      for (const table of ['report_jobs', 'report_shares']) {
        for (const row of await knex(table).select('expires_at')) {
          if (row.expires_at === null) continue;
          expect(() =>
            new Date(Number(row.expires_at)).toISOString(),
          ).not.toThrow();
        }
      }
      await knex.destroy();
    },
    60_000,
  );
});
