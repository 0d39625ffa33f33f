import type { LeaderElector, Leadership } from '@headroom/core';
import type { Client } from 'pg';
import pg from 'pg';
import { advisoryLockKey, DEFAULT_POSTGRES_SCHEMA, quotePostgresSchema } from './postgres-identifiers.js';
import { migratePostgresSchema } from './postgres-migrations.js';

export interface PostgresLeaderElectorOptions {
  /** Connection string of the database the replicas share. */
  url: string;
  /** This replica's id (host name, pod name); recorded in the `leadership` row. */
  holderId: string;
  /** Schema of the state store whose `leadership` row carries the epoch. Defaults to `headroom`. */
  schema?: string;
  /**
   * Advisory-lock key (a signed 64-bit integer) all replicas of one deployment share. Defaults to
   * a key derived from the schema name, so deployments in different schemas do not contend.
   */
  lockKey?: bigint | number;
  /** Timeout of opening the session connection. Defaults to 10000. */
  connectTimeoutMs?: number;
  /**
   * Timeout of each query on the session connection; a leader whose check times out (a
   * half-open connection) gives leadership up. Defaults to 10000.
   */
  queryTimeoutMs?: number;
  /**
   * Called once when leadership ends without `release()`: the session connection failed or
   * closed, or another holder raised the epoch. Writes with the old epoch are fenced from then on.
   */
  onLeadershipLost?: (leadership: Leadership) => void;
}

/** The PostgreSQL leader elector; `release()` also closes its session connection. */
export interface PostgresLeaderElector extends LeaderElector {
  /** Leadership this replica believes it holds, without asking the database. */
  readonly leadership: Leadership | null;
}

/**
 * Leader election by a session-level advisory lock (`pg_try_advisory_lock`) held on a dedicated
 * connection: losing that connection (crash, network, `pg_terminate_backend`) releases the lock
 * and so loses leadership. A replica that takes the lock increments the `leadership` row's
 * epoch; the state store refuses writes with older epochs (`FencedWriteError`).
 *
 * `acquire()` is meant to be called on every tick: a leader re-checks its connection and the
 * epoch (and gets `null` when it lost them), a follower tries the lock once, without waiting.
 */
export function createPostgresLeaderElector(options: PostgresLeaderElectorOptions): PostgresLeaderElector {
  const schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
  const quoted = quotePostgresSchema(schema);
  const lockKey =
    options.lockKey === undefined ? advisoryLockKey(`headroom:leader:${schema}`) : String(options.lockKey);
  let session: Client | undefined;
  let leadership: Leadership | null = null;
  let migrated = false;
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs `body` after every earlier call has settled, so calls never interleave on the session. */
  function serialize<T>(body: () => Promise<T>): Promise<T> {
    const result = queue.then(body, body);
    queue = result.catch(() => undefined);
    return result;
  }

  function newClient(applicationName: string): Client {
    return new pg.Client({
      connectionString: options.url,
      application_name: applicationName,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      query_timeout: options.queryTimeoutMs ?? 10_000,
      keepAlive: true,
    });
  }

  function dropSession({ lost }: { lost: boolean }): void {
    const previous = leadership;
    const client = session;
    leadership = null;
    session = undefined;
    client?.end().catch(() => undefined);
    if (lost && previous) options.onLeadershipLost?.(previous);
  }

  async function openSession(): Promise<Client> {
    const client = newClient(`headroom-leader:${options.holderId}`.slice(0, 63));
    client.on('error', () => {
      if (session === client) dropSession({ lost: true });
    });
    client.on('end', () => {
      if (session === client) dropSession({ lost: true });
    });
    await client.connect();
    if (!migrated) {
      await migratePostgresSchema({ client, schema });
      migrated = true;
    }
    session = client;
    return client;
  }

  async function confirmLeadership(client: Client, held: Leadership): Promise<boolean> {
    try {
      const { rows } = await client.query<{ epoch: string }>(`SELECT epoch FROM ${quoted}.leadership WHERE id = 1`);
      return Number(rows[0]?.epoch) === held.epoch;
    } catch {
      return false;
    }
  }

  return {
    get leadership() {
      return leadership ? { ...leadership } : null;
    },
    acquire() {
      return serialize(async () => {
        if (session && leadership) {
          if (await confirmLeadership(session, leadership)) return { ...leadership };
          dropSession({ lost: true });
        }
        const client = session ?? (await openSession());
        try {
          const { rows } = await client.query<{ acquired: boolean }>(
            'SELECT pg_try_advisory_lock($1::bigint) AS acquired',
            [lockKey],
          );
          if (!rows[0]?.acquired) return null;
          const result = await client.query<{ epoch: string }>(
            `UPDATE ${quoted}.leadership SET epoch = epoch + 1, holder_id = $1, acquired_at = now()
             WHERE id = 1 RETURNING epoch`,
            [options.holderId],
          );
          leadership = { holderId: options.holderId, epoch: Number(result.rows[0]?.epoch) };
          return { ...leadership };
        } catch (error) {
          dropSession({ lost: false });
          throw error;
        }
      });
    },
    release() {
      return serialize(async () => {
        const client = session;
        if (client && leadership) {
          await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]).catch(() => undefined);
        }
        dropSession({ lost: false });
      });
    },
    currentLeader() {
      return serialize(async () => {
        const client = newClient('headroom-leader-query');
        await client.connect();
        try {
          if (!migrated) {
            await migratePostgresSchema({ client, schema });
            migrated = true;
          }
          const { rows } = await client.query<{ holder_id: string | null; epoch: string; held: boolean }>(
            `SELECT holder_id, epoch, EXISTS (
               SELECT 1 FROM pg_locks
               WHERE locktype = 'advisory' AND granted AND objsubid = 1
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                 AND ((classid::bigint << 32) | objid::bigint) = $1::bigint
             ) AS held
             FROM ${quoted}.leadership WHERE id = 1`,
            [lockKey],
          );
          const row = rows[0];
          if (!row?.held || row.holder_id === null) return null;
          return { holderId: row.holder_id, epoch: Number(row.epoch) };
        } finally {
          await client.end().catch(() => undefined);
        }
      });
    },
  };
}
