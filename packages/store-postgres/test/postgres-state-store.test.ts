import type { StateStore } from '@headroom/core';
import { stateStoreSuite } from '@headroom/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPostgresStateStore, migratePostgresSchema, POSTGRES_MIGRATIONS } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from './postgres-test-database.js';

let database: TestDatabase;
let schemaCounter = 0;
const schemas = new WeakMap<StateStore, string>();

beforeAll(async () => {
  database = await createTestDatabase({ prefix: 'headroom_store' });
});

afterAll(async () => {
  await database?.drop();
});

function nextSchema(): string {
  schemaCounter += 1;
  return `store_${schemaCounter}`;
}

stateStoreSuite({
  runner: { describe, test, beforeAll, afterAll },
  name: 'PostgreSQL state store',
  createStore: async () => {
    const schema = nextSchema();
    const store = createPostgresStateStore({ url: database.url, schema });
    schemas.set(store, schema);
    return store;
  },
  reopenStore: async ({ store }) => {
    const schema = schemas.get(store);
    if (!schema) throw new Error('unknown store');
    return createPostgresStateStore({ url: database.url, schema });
  },
});

describe('createPostgresStateStore', () => {
  test('replicas initialising together apply each migration once', async () => {
    const schema = nextSchema();
    const stores = Array.from({ length: 4 }, () => createPostgresStateStore({ url: database.url, schema }));
    try {
      await Promise.all(stores.map((store) => store.init()));
      const rows = await database.query<{ version: number; name: string }>(
        `SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`,
      );
      expect(rows).toEqual(POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  test('works on a caller-owned pool and leaves it open', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    try {
      const store = createPostgresStateStore({ pool, schema: nextSchema() });
      await store.init();
      await store.putPlannerState({ epoch: 1, state: { autoscale: {} } });
      await store.close();
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await expect(store.listIntents()).rejects.toThrow(/closed/);
    } finally {
      await pool.end();
    }
  });

  test('refuses a schema name that is not a plain identifier', () => {
    expect(() => createPostgresStateStore({ url: database.url, schema: 'bad"; DROP' })).toThrow(/schema/);
  });

  test('migrations: only new versions run; a schema from a newer release is refused', async () => {
    const schema = nextSchema();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const first = { version: 1, name: 'first', sql: 'CREATE TABLE first (id integer)' };
      const second = { version: 2, name: 'second', sql: 'CREATE TABLE second (id integer)' };
      expect(await migratePostgresSchema({ client, schema, migrations: [first] })).toEqual({ appliedVersions: [1] });
      expect(await migratePostgresSchema({ client, schema, migrations: [second, first] })).toEqual({
        appliedVersions: [2],
      });
      expect(await migratePostgresSchema({ client, schema, migrations: [first, second] })).toEqual({
        appliedVersions: [],
      });
      await expect(migratePostgresSchema({ client, schema, migrations: [first] })).rejects.toThrow(/version 2, newer/);
      const broken = { version: 3, name: 'broken', sql: 'CREATE TABLE third (id integer); SELECT no_such_column' };
      await expect(migratePostgresSchema({ client, schema, migrations: [first, second, broken] })).rejects.toThrow();
      const tables = await client.query(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'third'`, [
        schema,
      ]);
      expect(tables.rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });
});
