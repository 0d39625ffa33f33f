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
import type { Pool, PoolClient } from 'pg';
import pg from 'pg';
import { DEFAULT_POSTGRES_SCHEMA, quotePostgresSchema } from './postgres-identifiers.js';
import { migratePostgresSchema } from './postgres-migrations.js';

export type PostgresStateStoreOptions = {
  /** Schema holding the tables; created by `init()`. Defaults to `headroom`. */
  schema?: string;
} & (
  | {
      /** Connection string (`postgres://user@host:5432/database`); the store owns and ends its pool. */
      url: string;
      pool?: never;
    }
  | {
      /** A pool the caller owns: the store neither ends it nor handles its `error` events. */
      pool: Pool;
      url?: never;
    }
);

/** The PostgreSQL state store, with `kind: 'postgres'`. */
export interface PostgresStateStore extends StateStore {
  readonly kind: 'postgres';
  readonly schema: string;
}

/**
 * A state store in PostgreSQL, for several scaler replicas of which only the leader writes.
 *
 * Every write is one transaction that first locks the `leadership` row
 * (`SELECT epoch … FOR UPDATE`) and refuses an epoch older than the row's with
 * `FencedWriteError`. `createPostgresLeaderElector` raises that epoch, under the same row lock,
 * each time a new holder takes over, so a deposed leader's writes fail even before it notices it
 * lost its lock. A write with a newer epoch than the row's raises the row to it.
 * `init()` applies the versioned migrations (see `migratePostgresSchema`).
 *
 * Length: one short method per `StateStore` call over a shared pool and fenced-write helper.
 */
export function createPostgresStateStore(options: PostgresStateStoreOptions): PostgresStateStore {
  const schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
  const quoted = quotePostgresSchema(schema);
  const ownsPool = options.pool === undefined;
  const pool: Pool = options.pool ?? new pg.Pool({ connectionString: options.url, application_name: 'headroom-store' });
  if (ownsPool) {
    // An idle pooled connection that breaks is dropped by the pool; the next query reconnects.
    pool.on('error', () => undefined);
  }
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new Error(`[headroom] [store-postgres] the store for schema ${schema} is closed`);
  }

  async function write({ epoch }: WriteOptions, body: (client: PoolClient) => Promise<void>): Promise<void> {
    assertOpen();
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ epoch: string }>(
        `SELECT epoch FROM ${quoted}.leadership WHERE id = 1 FOR UPDATE`,
      );
      const currentEpoch = Number(rows[0]?.epoch ?? 0);
      if (epoch < currentEpoch) {
        throw new FencedWriteError({ epoch, currentEpoch });
      }
      if (epoch > currentEpoch) {
        await client.query(`UPDATE ${quoted}.leadership SET epoch = $1 WHERE id = 1`, [epoch]);
      }
      await body(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  return {
    kind: 'postgres',
    schema,
    async init() {
      assertOpen();
      const client = await pool.connect();
      try {
        await migratePostgresSchema({ client, schema });
      } finally {
        client.release();
      }
    },
    async getPlannerState(): Promise<PlannerState> {
      assertOpen();
      const { rows } = await pool.query<{ state: PlannerState }>(
        `SELECT state FROM ${quoted}.planner_state WHERE id = 1`,
      );
      return rows[0]?.state ?? emptyPlannerState();
    },
    async putPlannerState(writeOptions) {
      await write(writeOptions, async (client) => {
        await client.query(
          `INSERT INTO ${quoted}.planner_state (id, state) VALUES (1, $1::jsonb)
           ON CONFLICT (id) DO UPDATE SET state = excluded.state`,
          [JSON.stringify(writeOptions.state)],
        );
      });
    },
    async putIntent(writeOptions) {
      const { intent } = writeOptions;
      await write(writeOptions, async (client) => {
        await client.query(
          `INSERT INTO ${quoted}.intents (key, status, created_at, intent) VALUES ($1, $2, $3, $4::jsonb)
           ON CONFLICT (key) DO UPDATE
           SET status = excluded.status, created_at = excluded.created_at, intent = excluded.intent`,
          [intent.key, intent.status, intent.createdAt, JSON.stringify(intent)],
        );
      });
    },
    async listIntents(listOptions?: { status?: IntentStatus }): Promise<Intent[]> {
      assertOpen();
      const status = listOptions?.status;
      const { rows } =
        status === undefined
          ? await pool.query<{ intent: Intent }>(`SELECT intent FROM ${quoted}.intents ORDER BY created_at, key`)
          : await pool.query<{ intent: Intent }>(
              `SELECT intent FROM ${quoted}.intents WHERE status = $1 ORDER BY created_at, key`,
              [status],
            );
      return rows.map((row) => row.intent);
    },
    async deleteSettledIntents(writeOptions) {
      let deleted = 0;
      await write(writeOptions, async (client) => {
        const result = await client.query(`DELETE FROM ${quoted}.intents WHERE status <> 'open' AND created_at < $1`, [
          writeOptions.createdBefore,
        ]);
        deleted = result.rowCount ?? 0;
      });
      return deleted;
    },
    async putInstance(writeOptions) {
      const { instance } = writeOptions;
      await write(writeOptions, async (client) => {
        await client.query(
          `INSERT INTO ${quoted}.ledger_instances (id, instance) VALUES ($1, $2::jsonb)
           ON CONFLICT (id) DO UPDATE SET instance = excluded.instance`,
          [instance.id, JSON.stringify(instance)],
        );
      });
    },
    async deleteInstance(writeOptions) {
      await write(writeOptions, async (client) => {
        await client.query(`DELETE FROM ${quoted}.ledger_instances WHERE id = $1`, [writeOptions.id]);
      });
    },
    async listInstances(): Promise<LedgerInstance[]> {
      assertOpen();
      const { rows } = await pool.query<{ instance: LedgerInstance }>(
        `SELECT instance FROM ${quoted}.ledger_instances ORDER BY id`,
      );
      return rows.map((row) => row.instance);
    },
    async putPendingCheckin({ checkin }) {
      assertOpen();
      // Not fenced (see `StateStore.putPendingCheckin`); one statement, so atomic.
      await pool.query(
        `INSERT INTO ${quoted}.pending_checkins AS kept (instance_id, checked_in_at, status_at, status)
         VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (instance_id) DO UPDATE SET
           checked_in_at = coalesce(kept.checked_in_at, excluded.checked_in_at),
           status = CASE WHEN excluded.status_at >= kept.status_at THEN excluded.status ELSE kept.status END,
           status_at = greatest(excluded.status_at, kept.status_at)`,
        [checkin.instanceId, checkin.checkedInAt ?? null, checkin.status.at, JSON.stringify(checkin.status)],
      );
    },
    async listPendingCheckins(): Promise<PendingCheckin[]> {
      assertOpen();
      const { rows } = await pool.query<{
        instance_id: string;
        checked_in_at: string | null;
        status: ServerStatusRecord;
      }>(`SELECT instance_id, checked_in_at, status FROM ${quoted}.pending_checkins ORDER BY instance_id`);
      return rows.map((row) => ({
        instanceId: row.instance_id,
        ...(row.checked_in_at !== null ? { checkedInAt: row.checked_in_at } : {}),
        status: row.status,
      }));
    },
    async deletePendingCheckins({ checkins }) {
      assertOpen();
      if (checkins.length === 0) return;
      await pool.query(
        `DELETE FROM ${quoted}.pending_checkins AS kept
         USING unnest($1::text[], $2::text[], $3::text[]) AS given (instance_id, checked_in_at, status_at)
         WHERE kept.instance_id = given.instance_id
           AND kept.checked_in_at IS NOT DISTINCT FROM given.checked_in_at
           AND kept.status_at = given.status_at`,
        [
          checkins.map((checkin) => checkin.instanceId),
          checkins.map((checkin) => checkin.checkedInAt ?? null),
          checkins.map((checkin) => checkin.status.at),
        ],
      );
    },
    async putDemandSamples(writeOptions) {
      const { samples } = writeOptions;
      assertDemandSamples(samples);
      await write(writeOptions, async (client) => {
        if (samples.length === 0) return;
        // One row per (pool, at_ms): the last of duplicates in one call wins, as in the other stores.
        const unique = [...new Map(samples.map((sample) => [`${sample.pool}\u0000${sample.atMs}`, sample])).values()];
        await client.query(
          `INSERT INTO ${quoted}.demand_samples (pool, at_ms, cores, memory_mb, gpus)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::float8[], $5::float8[])
           ON CONFLICT (pool, at_ms) DO UPDATE
           SET cores = excluded.cores, memory_mb = excluded.memory_mb, gpus = excluded.gpus`,
          [
            unique.map((sample) => sample.pool),
            unique.map((sample) => sample.atMs),
            unique.map((sample) => sample.cores),
            unique.map((sample) => sample.memoryMb),
            unique.map((sample) => sample.gpus),
          ],
        );
      });
    },
    async listDemandSamples(listOptions): Promise<DemandSampleRecord[]> {
      assertOpen();
      const { rows } = await pool.query<{ at_ms: string; cores: number; memory_mb: number; gpus: number }>(
        `SELECT at_ms, cores, memory_mb, gpus FROM ${quoted}.demand_samples
         WHERE pool = $1 AND at_ms >= $2 ORDER BY at_ms LIMIT ${MAX_DEMAND_SAMPLES_LISTED}`,
        [listOptions.pool, Math.ceil(listOptions.fromMs)],
      );
      return rows.map((row) => ({
        pool: listOptions.pool,
        atMs: Number(row.at_ms),
        cores: row.cores,
        memoryMb: row.memory_mb,
        gpus: row.gpus,
      }));
    },
    async deleteDemandSamples(writeOptions) {
      let deleted = 0;
      await write(writeOptions, async (client) => {
        const result = await client.query(`DELETE FROM ${quoted}.demand_samples WHERE at_ms < $1`, [
          Math.ceil(writeOptions.beforeMs),
        ]);
        deleted = result.rowCount ?? 0;
      });
      return deleted;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (ownsPool) await pool.end();
    },
  };
}
