import { TestDatabaseId, mockServices } from '@backstage/backend-test-utils';
import { ConflictError, InputError } from '@backstage/errors';
import { Knex } from 'knex';
import { realtimeInsightsConfigSchema } from '../../config';
import { migrateDatabase } from '../../database';
import {
  DatabaseSettingsService,
  SettingsChange,
} from './DatabaseSettingsService';
import { settingsTestDatabases } from './__testUtils__/testDatabases';

const { databases, sqlite, postgres } = settingsTestDatabases();
const defaults = realtimeInsightsConfigSchema.parse({});
const actor = 'user:default/admin';

const waitFor = async (predicate: () => boolean, timeoutMs = 3_000) => {
  const until = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < until) {
    await new Promise(r => setTimeout(r, 20));
  }
  return predicate();
};

/** The cases, on one database. */
function definedOn(id: TestDatabaseId) {
  let knex: Knex;
  const replicas: DatabaseSettingsService[] = [];
  const replica = async (pollIntervalMs?: number) => {
    const service = await DatabaseSettingsService.create({
      db: knex,
      defaults,
      logger: mockServices.logger.mock(),
      pollIntervalMs,
    });
    replicas.push(service);
    return service;
  };

  beforeEach(async () => {
    knex = await databases.init(id);
    await migrateDatabase(mockServices.database({ knex }));
  });
  afterEach(() => {
    replicas.splice(0).forEach(r => r.stop());
  });

  it('starts from the app-config defaults', async () => {
    const settings = await replica();
    expect(settings.current()).toEqual(defaults);
    const described = settings.describe();
    expect(described.revision).toBe(0);
    expect(described.fields).toContainEqual(
      expect.objectContaining({
        path: 'cache.ttlSeconds',
        type: 'integer',
        min: 1,
        defaultValue: 86_400,
        value: 86_400,
        overridden: false,
      }),
    );
    expect(settings.stream('resource:default/x')).toEqual({
      enabled: true,
      cacheEnabled: true,
    });
  });

  it('persists overrides, and another replica polling the table applies them', async () => {
    const a = await replica();
    const b = await replica(50);
    const heard: SettingsChange[] = [];
    b.onChange(change => heard.push(change));
    b.start();

    const { before, after } = await a.update(
      { 'cache.ttlSeconds': 3600, 'live.followIntervalSeconds': 2 },
      { actor, revision: 0 },
    );
    expect(before).toEqual({});
    expect(after).toEqual({
      'cache.ttlSeconds': 3600,
      'live.followIntervalSeconds': 2,
    });
    // The replica that saved applies it at once...
    expect(a.current().cache.ttlSeconds).toBe(3600);
    // ...the other at its next poll, without a restart.
    expect(await waitFor(() => b.current().cache.ttlSeconds === 3600)).toBe(
      true,
    );
    expect(b.current().live.followIntervalSeconds).toBe(2);
    expect(heard).toContainEqual(expect.objectContaining({ type: 'settings' }));
    const settingsChange = heard.find(c => c.type === 'settings') as Extract<
      SettingsChange,
      { type: 'settings' }
    >;
    expect(settingsChange.before.cache.ttlSeconds).toBe(86_400);
    expect(settingsChange.after.cache.ttlSeconds).toBe(3600);

    // A fresh replica (a restart) starts with them too.
    const c = await replica();
    expect(c.current().cache.ttlSeconds).toBe(3600);
    expect(c.describe()).toMatchObject({ revision: 1, updatedBy: actor });
    expect(
      c.describe().fields.find(f => f.path === 'cache.ttlSeconds'),
    ).toMatchObject({ value: 3600, defaultValue: 86_400, overridden: true });
  });

  it('goes back to the default on null', async () => {
    const settings = await replica();
    await settings.update({ 'query.maxBuckets': 100 }, { actor });
    expect(settings.current().query.maxBuckets).toBe(100);
    await settings.update({ 'query.maxBuckets': null }, { actor });
    expect(settings.current().query.maxBuckets).toBe(1440);
    expect(settings.overrides()).toEqual({});
  });

  it('refuses a save over a newer change (stale revision)', async () => {
    const a = await replica();
    const b = await replica();
    await a.update({ 'query.maxBuckets': 100 }, { actor, revision: 0 });
    await expect(
      b.update({ 'query.maxBuckets': 200 }, { actor, revision: 0 }),
    ).rejects.toThrow(ConflictError);
    await b.refresh();
    expect(b.current().query.maxBuckets).toBe(100);
  });

  it('keeps both of two concurrent saves of different settings', async () => {
    const a = await replica();
    const b = await replica();
    await Promise.all([
      a.update({ 'query.maxBuckets': 100 }, { actor }),
      b.update({ 'query.maxRangeHours': 24 }, { actor }),
    ]);
    await a.refresh();
    expect(a.overrides()).toEqual({
      'query.maxBuckets': 100,
      'query.maxRangeHours': 24,
    });
    expect(a.describe().revision).toBe(2);
  });

  it('names the setting an invalid change is about, and saves nothing', async () => {
    const settings = await replica();
    await expect(
      settings.update({ 'query.maxBuckets': 0 }, { actor }),
    ).rejects.toThrow(
      new InputError("Invalid setting 'query.maxBuckets': must be at least 1"),
    );
    await expect(
      settings.update({ 'cache.ttlSeconds': 1.5 }, { actor }),
    ).rejects.toThrow(/'cache.ttlSeconds': must be a whole number/);
    await expect(
      settings.update({ 's3.endpoint': 'http://evil.test' }, { actor }),
    ).rejects.toThrow(/'s3.endpoint': is not a setting admins can change/);
    await expect(
      settings.update({ 'query.maxPageSize': 50 }, { actor }),
    ).rejects.toThrow(
      /'query.maxPageSize': must be at least the default page \(100\)/,
    );
    expect(settings.describe().revision).toBe(0);
    expect(settings.current()).toEqual(defaults);
  });

  it('leaves out stored overrides the schema no longer accepts', async () => {
    await knex('settings').insert({
      scope: 'global',
      value: JSON.stringify({
        overrides: { 'query.maxBuckets': -5, 'query.maxRangeHours': 48 },
      }),
      revision: 1,
      updated_by: actor,
      updated_at: Date.now(),
    });
    const logger = mockServices.logger.mock();
    const settings = await DatabaseSettingsService.create({
      db: knex,
      defaults,
      logger,
    });
    expect(settings.current().query.maxBuckets).toBe(1440);
    expect(settings.current().query.maxRangeHours).toBe(48);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/query.maxBuckets/),
    );
  });

  it('keeps stream settings and tells other replicas of flushes', async () => {
    const a = await replica();
    const b = await replica(50);
    const heard: SettingsChange[] = [];
    b.onChange(change => heard.push(change));
    b.start();
    const ref = 'resource:default/interactions';

    const result = await a.updateStream(ref, { enabled: false }, { actor });
    expect(result).toEqual({
      before: { enabled: true, cacheEnabled: true },
      after: { enabled: false, cacheEnabled: true },
    });
    await a.updateStream(ref, { cacheEnabled: false }, { actor });
    expect(a.stream(ref)).toEqual({ enabled: false, cacheEnabled: false });
    expect(a.storedStreams().get(ref)).toMatchObject({ updatedBy: actor });

    await a.recordFlush(ref, { actor });
    await a.recordFlush(undefined, { actor });
    expect(
      await waitFor(
        () =>
          heard.some(c => c.type === 'flush' && c.entityRef === ref) &&
          heard.some(c => c.type === 'flush' && !c.entityRef),
      ),
    ).toBe(true);
    expect(b.stream(ref)).toEqual({ enabled: false, cacheEnabled: false });
    expect(heard).toContainEqual({
      type: 'stream',
      entityRef: ref,
      before: { enabled: true, cacheEnabled: true },
      after: { enabled: false, cacheEnabled: false },
    });
  });
}

describe('DatabaseSettingsService on SQLite', () => {
  definedOn(sqlite);
});

// Without a PostgreSQL answering, its cases show as skipped.
(postgres ? describe : describe.skip)(
  `DatabaseSettingsService on PostgreSQL (${postgres ?? 'none answered'})`,
  () => {
    definedOn(postgres ?? 'POSTGRES_16');
  },
);
