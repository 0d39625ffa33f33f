import type {
  DemandSampleRecord,
  Intent,
  IntentStatus,
  LedgerInstance,
  PendingCheckin,
  PlannerState,
  ServerStatusRecord,
  StateStore,
  WriteOptions,
} from '@headroom/core';
import { assertDemandSamples, emptyPlannerState, FencedWriteError, MAX_DEMAND_SAMPLES_LISTED } from '@headroom/core';
import type { Database, Statement } from 'better-sqlite3';
import BetterSqlite3 from 'better-sqlite3';
import { keepUntilExit } from './keep-until-exit.js';
import { migrateSqliteSchema } from './sqlite-migrations.js';
import { SqliteStoreLockedError } from './sqlite-store-locked-error.js';

export interface SqliteStateStoreOptions {
  /** Path of the database file; created with its directory's permissions when missing. */
  path: string;
  /**
   * How long `init()` waits for another connection to let go of the file before it fails with
   * `SqliteStoreLockedError`. Defaults to 5000.
   */
  lockTimeoutMs?: number;
}

/** The SQLite state store, with `kind: 'sqlite'`. */
export interface SqliteStateStore extends StateStore {
  readonly kind: 'sqlite';
  readonly path: string;
}

/**
 * A state store in one SQLite file: the embedded default of the standalone scaler.
 *
 * - One writer: `init()` opens the file in `locking_mode = EXCLUSIVE` and takes the lock at once,
 *   so a second process (or a second store in this process) opening the same file waits up to
 *   `lockTimeoutMs` and then fails with `SqliteStoreLockedError`. The operating system drops the
 *   lock when the holder exits, even after SIGKILL.
 * - WAL journal with `synchronous = FULL`: a write has reached the disk when its promise resolves.
 * - Versioned migrations (`schema_migrations`), applied by `init()`.
 * - Every write is one transaction that first checks the fencing epoch: the store keeps the
 *   highest epoch it has seen and refuses older ones with `FencedWriteError`.
 *
 * Length: one short method per `StateStore` call over a shared database handle and fenced write.
 */
export function createSqliteStateStore({ path, lockTimeoutMs = 5000 }: SqliteStateStoreOptions): SqliteStateStore {
  let database: Database | undefined;
  /** Statements of the open connection, prepared once each (see `keepUntilExit`). */
  let statements = new Map<string, Statement>();
  let closed = false;

  function open(): Database {
    const opened = new BetterSqlite3(path, { timeout: lockTimeoutMs });
    keepUntilExit(opened);
    try {
      opened.exec('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL');
      opened.exec('BEGIN EXCLUSIVE; COMMIT');
      migrateSqliteSchema({ database: opened });
      return opened;
    } catch (error) {
      opened.close();
      if (isBusyError(error)) {
        throw new SqliteStoreLockedError({ path, lockTimeoutMs, cause: error });
      }
      throw error;
    }
  }

  function requireDatabase(): Database {
    if (closed) throw new Error(`[headroom] [store-sqlite] the store for ${path} is closed`);
    if (!database) throw new Error(`[headroom] [store-sqlite] call init() before using the store for ${path}`);
    return database;
  }

  function statement(sql: string): Statement {
    const current = requireDatabase();
    let prepared = statements.get(sql);
    if (!prepared) {
      prepared = current.prepare(sql);
      keepUntilExit(prepared);
      statements.set(sql, prepared);
    }
    return prepared;
  }

  function write({ epoch }: WriteOptions, body: () => void): void {
    const current = requireDatabase();
    current.transaction(() => {
      const row = statement('SELECT epoch FROM fencing WHERE id = 1').get() as { epoch: number };
      if (epoch < row.epoch) {
        throw new FencedWriteError({ epoch, currentEpoch: row.epoch });
      }
      if (epoch > row.epoch) {
        statement('UPDATE fencing SET epoch = ? WHERE id = 1').run(epoch);
      }
      body();
    })();
  }

  return {
    kind: 'sqlite',
    path,
    async init() {
      if (closed) requireDatabase();
      if (database) {
        migrateSqliteSchema({ database });
        return;
      }
      database = open();
    },
    async getPlannerState(): Promise<PlannerState> {
      const row = statement('SELECT state FROM planner_state WHERE id = 1').get() as { state: string } | undefined;
      return row ? (JSON.parse(row.state) as PlannerState) : emptyPlannerState();
    },
    async putPlannerState(options) {
      write(options, () => {
        statement(
          'INSERT INTO planner_state (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state',
        ).run(JSON.stringify(options.state));
      });
    },
    async putIntent(options) {
      const { intent } = options;
      write(options, () => {
        statement(
          `INSERT INTO intents (key, status, created_at, intent) VALUES (?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET status = excluded.status, created_at = excluded.created_at, intent = excluded.intent`,
        ).run(intent.key, intent.status, intent.createdAt, JSON.stringify(intent));
      });
    },
    async listIntents(options?: { status?: IntentStatus }): Promise<Intent[]> {
      const status = options?.status;
      const rows = (
        status === undefined
          ? statement('SELECT intent FROM intents ORDER BY created_at, key').all()
          : statement('SELECT intent FROM intents WHERE status = ? ORDER BY created_at, key').all(status)
      ) as Array<{ intent: string }>;
      return rows.map((row) => JSON.parse(row.intent) as Intent);
    },
    async deleteSettledIntents(options) {
      let deleted = 0;
      write(options, () => {
        deleted = statement("DELETE FROM intents WHERE status <> 'open' AND created_at < ?").run(
          options.createdBefore,
        ).changes;
      });
      return deleted;
    },
    async putInstance(options) {
      const { instance } = options;
      write(options, () => {
        statement(
          'INSERT INTO ledger_instances (id, instance) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET instance = excluded.instance',
        ).run(instance.id, JSON.stringify(instance));
      });
    },
    async deleteInstance(options) {
      write(options, () => {
        statement('DELETE FROM ledger_instances WHERE id = ?').run(options.id);
      });
    },
    async listInstances(): Promise<LedgerInstance[]> {
      const rows = statement('SELECT instance FROM ledger_instances ORDER BY id').all() as Array<{
        instance: string;
      }>;
      return rows.map((row) => JSON.parse(row.instance) as LedgerInstance);
    },
    async putPendingCheckin({ checkin }) {
      // Not fenced (see `StateStore.putPendingCheckin`); one statement, so atomic.
      statement(
        `INSERT INTO pending_checkins (instance_id, checked_in_at, status_at, status) VALUES (?, ?, ?, ?)
         ON CONFLICT (instance_id) DO UPDATE SET
           checked_in_at = coalesce(pending_checkins.checked_in_at, excluded.checked_in_at),
           status = CASE WHEN excluded.status_at >= pending_checkins.status_at THEN excluded.status ELSE pending_checkins.status END,
           status_at = max(excluded.status_at, pending_checkins.status_at)`,
      ).run(checkin.instanceId, checkin.checkedInAt ?? null, checkin.status.at, JSON.stringify(checkin.status));
    },
    async listPendingCheckins(): Promise<PendingCheckin[]> {
      const rows = statement(
        'SELECT instance_id, checked_in_at, status FROM pending_checkins ORDER BY instance_id',
      ).all() as Array<{ instance_id: string; checked_in_at: string | null; status: string }>;
      return rows.map((row) => ({
        instanceId: row.instance_id,
        ...(row.checked_in_at !== null ? { checkedInAt: row.checked_in_at } : {}),
        status: JSON.parse(row.status) as ServerStatusRecord,
      }));
    },
    async deletePendingCheckins({ checkins }) {
      const remove = statement(
        'DELETE FROM pending_checkins WHERE instance_id = ? AND checked_in_at IS ? AND status_at = ?',
      );
      requireDatabase().transaction(() => {
        for (const checkin of checkins) remove.run(checkin.instanceId, checkin.checkedInAt ?? null, checkin.status.at);
      })();
    },
    async putDemandSamples(options) {
      assertDemandSamples(options.samples);
      const insert = statement(
        `INSERT INTO demand_samples (pool, at_ms, cores, memory_mb, gpus) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (pool, at_ms) DO UPDATE SET cores = excluded.cores, memory_mb = excluded.memory_mb, gpus = excluded.gpus`,
      );
      write(options, () => {
        for (const sample of options.samples)
          insert.run(sample.pool, sample.atMs, sample.cores, sample.memoryMb, sample.gpus);
      });
    },
    async listDemandSamples({ pool, fromMs }): Promise<DemandSampleRecord[]> {
      const rows = statement(
        `SELECT at_ms, cores, memory_mb, gpus FROM demand_samples WHERE pool = ? AND at_ms >= ? ORDER BY at_ms LIMIT ${MAX_DEMAND_SAMPLES_LISTED}`,
      ).all(pool, fromMs) as Array<{ at_ms: number; cores: number; memory_mb: number; gpus: number }>;
      return rows.map((row) => ({
        pool,
        atMs: row.at_ms,
        cores: row.cores,
        memoryMb: row.memory_mb,
        gpus: row.gpus,
      }));
    },
    async deleteDemandSamples(options) {
      let deleted = 0;
      write(options, () => {
        deleted = statement('DELETE FROM demand_samples WHERE at_ms < ?').run(options.beforeMs).changes;
      });
      return deleted;
    },
    async close() {
      closed = true;
      database?.close();
      database = undefined;
      statements = new Map();
    },
  };
}

function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}
