import type { Database } from 'better-sqlite3';
import { keepUntilExit } from './keep-until-exit.js';

/** One schema change. Versions are applied in ascending order, each once, each in its own transaction. */
export interface SqliteMigration {
  version: number;
  name: string;
  up(database: Database): void;
}

/** The schema history of the SQLite state store, oldest first. Append; never edit a released entry. */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'initial',
    up(database) {
      database.exec(`
        CREATE TABLE planner_state (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          state TEXT NOT NULL CHECK (json_valid(state))
        );
        CREATE TABLE intents (
          key TEXT PRIMARY KEY,
          status TEXT NOT NULL,
          created_at TEXT NOT NULL,
          intent TEXT NOT NULL CHECK (json_valid(intent))
        );
        CREATE INDEX intents_by_status ON intents (status, created_at, key);
        CREATE TABLE ledger_instances (
          id TEXT PRIMARY KEY,
          instance TEXT NOT NULL CHECK (json_valid(instance))
        );
        CREATE TABLE fencing (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          epoch INTEGER NOT NULL
        );
        INSERT INTO fencing (id, epoch) VALUES (1, 0);
      `);
    },
  },
  {
    version: 2,
    name: 'pending check-ins',
    up(database) {
      database.exec(`
        CREATE TABLE pending_checkins (
          instance_id TEXT PRIMARY KEY,
          checked_in_at TEXT,
          status_at TEXT NOT NULL,
          status TEXT NOT NULL CHECK (json_valid(status))
        );
      `);
    },
  },
  {
    version: 3,
    name: 'demand samples',
    up(database) {
      database.exec(`
        CREATE TABLE demand_samples (
          pool TEXT NOT NULL,
          at_ms INTEGER NOT NULL,
          cores REAL NOT NULL,
          memory_mb REAL NOT NULL,
          gpus REAL NOT NULL,
          PRIMARY KEY (pool, at_ms)
        );
        CREATE INDEX demand_samples_by_instant ON demand_samples (at_ms);
      `);
    },
  },
];

/**
 * Brings the schema to the newest version in `migrations`, recording each applied version in
 * `schema_migrations`. Refuses a database written by a newer release.
 */
export function migrateSqliteSchema({
  database,
  migrations = SQLITE_MIGRATIONS,
}: {
  database: Database;
  migrations?: readonly SqliteMigration[];
}): { appliedVersions: number[] } {
  database.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )
  `);
  const latest = database.prepare('SELECT MAX(version) AS version FROM schema_migrations');
  const record = database.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  keepUntilExit(latest, record);
  const row = latest.get() as { version: number | null } | undefined;
  const currentVersion = row?.version ?? 0;
  const newestKnown = migrations.reduce((newest, migration) => Math.max(newest, migration.version), 0);
  if (currentVersion > newestKnown) {
    throw new Error(
      `[headroom] [store-sqlite] the database schema is at version ${currentVersion}, newer than this release knows (${newestKnown}); upgrade Headroom`,
    );
  }
  const appliedVersions: number[] = [];
  for (const migration of [...migrations].sort((left, right) => left.version - right.version)) {
    if (migration.version <= currentVersion) continue;
    database.transaction(() => {
      migration.up(database);
      record.run(migration.version, migration.name, new Date().toISOString());
    })();
    appliedVersions.push(migration.version);
  }
  return { appliedVersions };
}
