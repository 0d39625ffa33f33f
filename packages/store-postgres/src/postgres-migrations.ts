import type { ClientBase } from 'pg';
import { advisoryLockKey, quotePostgresSchema } from './postgres-identifiers.js';

/**
 * One schema change: SQL run with `search_path` set to the store's schema. Versions are applied
 * in ascending order, each once.
 */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/** The schema history of the PostgreSQL state store, oldest first. Append; never edit a released entry. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE planner_state (
        id smallint PRIMARY KEY CHECK (id = 1),
        state jsonb NOT NULL
      );
      CREATE TABLE intents (
        key text COLLATE "C" PRIMARY KEY,
        status text NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        intent jsonb NOT NULL
      );
      CREATE INDEX intents_by_status ON intents (status, created_at, key);
      CREATE TABLE ledger_instances (
        id text COLLATE "C" PRIMARY KEY,
        instance jsonb NOT NULL
      );
      CREATE TABLE leadership (
        id smallint PRIMARY KEY CHECK (id = 1),
        epoch bigint NOT NULL,
        holder_id text,
        acquired_at timestamptz
      );
      INSERT INTO leadership (id, epoch) VALUES (1, 0);
    `,
  },
  {
    version: 2,
    name: 'pending check-ins',
    sql: `
      CREATE TABLE pending_checkins (
        instance_id text COLLATE "C" PRIMARY KEY,
        checked_in_at text,
        status_at text COLLATE "C" NOT NULL,
        status jsonb NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'demand samples',
    sql: `
      CREATE TABLE demand_samples (
        pool text COLLATE "C" NOT NULL,
        at_ms bigint NOT NULL,
        cores double precision NOT NULL,
        memory_mb double precision NOT NULL,
        gpus double precision NOT NULL,
        PRIMARY KEY (pool, at_ms)
      );
      CREATE INDEX demand_samples_by_instant ON demand_samples (at_ms);
    `,
  },
];

/**
 * Brings `schema` to the newest version in `migrations`, creating it when missing. Runs in one
 * transaction under a transaction-scoped advisory lock, so replicas starting together apply each
 * migration once. Refuses a schema written by a newer release.
 */
export async function migratePostgresSchema({
  client,
  schema,
  migrations = POSTGRES_MIGRATIONS,
}: {
  client: ClientBase;
  schema: string;
  migrations?: readonly PostgresMigration[];
}): Promise<{ appliedVersions: number[] }> {
  const quoted = quotePostgresSchema(schema);
  const appliedVersions: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey(`headroom:migrate:${schema}`)]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${quoted}.schema_migrations`,
    );
    const currentVersion = rows[0]?.version ?? 0;
    const newestKnown = migrations.reduce((newest, migration) => Math.max(newest, migration.version), 0);
    if (currentVersion > newestKnown) {
      throw new Error(
        `[headroom] [store-postgres] schema ${schema} is at version ${currentVersion}, newer than this release knows (${newestKnown}); upgrade Headroom`,
      );
    }
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    for (const migration of [...migrations].sort((left, right) => left.version - right.version)) {
      if (migration.version <= currentVersion) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      appliedVersions.push(migration.version);
    }
    await client.query('COMMIT');
    return { appliedVersions };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
