import { setTimeout as sleep } from 'node:timers/promises';
import type { Intent, Leadership } from '@headroom/core';
import { FencedWriteError } from '@headroom/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PostgresLeaderElector } from '../src/index.js';
import { createPostgresLeaderElector, createPostgresStateStore } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from './postgres-test-database.js';

let database: TestDatabase;
let schemaCounter = 0;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  database = await createTestDatabase({ prefix: 'headroom_leader' });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await database?.drop();
});

function nextSchema(): string {
  schemaCounter += 1;
  return `leader_${schemaCounter}`;
}

function createElector(options: {
  schema: string;
  holderId: string;
  onLeadershipLost?: (leadership: Leadership) => void;
}): PostgresLeaderElector {
  const elector = createPostgresLeaderElector({ url: database.url, ...options });
  cleanups.push(() => elector.release());
  return elector;
}

function intent(key: string): Intent {
  return {
    key,
    kind: 'create',
    pool: 'linux-agents',
    autoscale: 'business-hours',
    provider: 'aws-east',
    instanceName: `hr-${key}`,
    status: 'open',
    attempts: 0,
    createdAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T10:00:00.000Z',
  };
}

/** Polls `elector.acquire()` every `intervalMs` until it leads; bounded by `maxAttempts`. */
async function acquireWhenFree({
  elector,
  intervalMs,
  maxAttempts,
}: {
  elector: PostgresLeaderElector;
  intervalMs: number;
  maxAttempts: number;
}): Promise<Leadership> {
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const leadership = await elector.acquire();
    if (leadership) return leadership;
    await sleep(intervalMs);
  }
  throw new Error(`no leadership after ${maxAttempts} attempts`);
}

describe('createPostgresLeaderElector', () => {
  test('of replicas competing at once, exactly one leads', async () => {
    const schema = nextSchema();
    const electors = ['replica-a', 'replica-b', 'replica-c'].map((holderId) => createElector({ schema, holderId }));
    const results = await Promise.all(electors.map((elector) => elector.acquire()));
    const leaders = results.filter((result): result is Leadership => result !== null);
    expect(leaders).toHaveLength(1);
    expect(leaders[0]?.epoch).toBe(1);
    expect(await electors[2]?.currentLeader()).toEqual(leaders[0]);
    const again = await Promise.all(electors.map((elector) => elector.acquire()));
    expect(again).toEqual(results);
  });

  test('a release hands over to another replica with a higher epoch', async () => {
    const schema = nextSchema();
    const first = createElector({ schema, holderId: 'replica-a' });
    const second = createElector({ schema, holderId: 'replica-b' });
    const firstLeadership = await first.acquire();
    expect(firstLeadership).not.toBeNull();
    expect(await second.acquire()).toBeNull();
    await first.release();
    expect(await first.currentLeader()).toBeNull();
    const secondLeadership = await second.acquire();
    expect(secondLeadership).toEqual({ holderId: 'replica-b', epoch: (firstLeadership?.epoch ?? 0) + 1 });
    expect(await first.acquire()).toBeNull();
  });

  test('a terminated leader connection hands over; the paused old leader cannot write', async () => {
    const schema = nextSchema();
    const lost: Leadership[] = [];
    const oldLeader = createElector({ schema, holderId: 'replica-old', onLeadershipLost: (l) => lost.push(l) });
    const newLeader = createElector({ schema, holderId: 'replica-new' });
    const oldStore = createPostgresStateStore({ url: database.url, schema });
    const newStore = createPostgresStateStore({ url: database.url, schema });
    cleanups.push(
      () => oldStore.close(),
      () => newStore.close(),
    );
    await oldStore.init();
    await newStore.init();

    const oldLeadership = await oldLeader.acquire();
    expect(oldLeadership).not.toBeNull();
    expect(await newLeader.acquire()).toBeNull();
    const oldEpoch = oldLeadership?.epoch ?? 0;
    await oldStore.putIntent({ epoch: oldEpoch, intent: intent('before-failover') });

    // The old leader is "paused": it makes no call while its session is killed and the other takes over.
    const startedAt = performance.now();
    const terminated = await database.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'headroom-leader:replica-old'`,
    );
    expect(terminated).toEqual([{ terminated: true }]);
    const newLeadership = await acquireWhenFree({ elector: newLeader, intervalMs: 25, maxAttempts: 400 });
    const failoverMs = performance.now() - startedAt;
    console.log(
      `[store-postgres] leader failover after pg_terminate_backend: ${failoverMs.toFixed(1)} ms (poll 25 ms)`,
    );
    expect(newLeadership).toEqual({ holderId: 'replica-new', epoch: oldEpoch + 1 });
    await newStore.putIntent({ epoch: newLeadership.epoch, intent: intent('after-failover') });

    // The old leader wakes up and writes with the epoch it still believes it holds.
    const error = await oldStore.putIntent({ epoch: oldEpoch, intent: intent('stale') }).catch((caught) => caught);
    expect(FencedWriteError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ epoch: oldEpoch, currentEpoch: newLeadership.epoch });
    expect((await newStore.listIntents()).map((item) => item.key)).toEqual(['after-failover', 'before-failover']);

    expect(await oldLeader.acquire()).toBeNull();
    expect(lost).toEqual([oldLeadership]);
    expect(await oldLeader.currentLeader()).toEqual(newLeadership);
  });

  test('repeated failovers: each new leader gets the next epoch and fences the one before', async () => {
    const schema = nextSchema();
    const replicas = ['replica-a', 'replica-b'].map((holderId) => ({
      holderId,
      elector: createElector({ schema, holderId }),
    }));
    const store = createPostgresStateStore({ url: database.url, schema });
    cleanups.push(() => store.close());
    await store.init();
    let leader = replicas[0]!;
    let epoch = (await leader.elector.acquire())?.epoch ?? 0;
    const failoversMs: number[] = [];
    for (let round = 0; round < 6; round += 1) {
      const follower = replicas.find((replica) => replica !== leader)!;
      expect(await follower.elector.acquire()).toBeNull();
      const startedAt = performance.now();
      await database.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = $1`,
        [`headroom-leader:${leader.holderId}`],
      );
      const taken = await acquireWhenFree({ elector: follower.elector, intervalMs: 25, maxAttempts: 400 });
      failoversMs.push(performance.now() - startedAt);
      expect(taken).toEqual({ holderId: follower.holderId, epoch: epoch + 1 });
      const stale = await store.putIntent({ epoch, intent: intent(`stale-${round}`) }).catch((caught) => caught);
      expect(FencedWriteError.isInstance(stale)).toBe(true);
      await store.putIntent({ epoch: taken.epoch, intent: intent(`round-${round}`) });
      expect(await leader.elector.acquire()).toBeNull();
      leader = follower;
      epoch = taken.epoch;
    }
    const sorted = [...failoversMs].sort((left, right) => left - right);
    console.log(
      `[store-postgres] ${sorted.length} failovers (poll 25 ms): min ${sorted[0]?.toFixed(1)} ms, ` +
        `median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`,
    );
    expect((await store.listIntents()).map((item) => item.key)).toEqual(
      Array.from({ length: 6 }, (_, round) => `round-${round}`),
    );
  });

  test('a write racing a takeover either lands before it or is fenced', async () => {
    const schema = nextSchema();
    const oldLeader = createElector({ schema, holderId: 'replica-old' });
    const newLeader = createElector({ schema, holderId: 'replica-new' });
    const store = createPostgresStateStore({ url: database.url, schema });
    cleanups.push(() => store.close());
    await store.init();
    const oldEpoch = (await oldLeader.acquire())?.epoch ?? 0;
    const writes = Array.from({ length: 30 }, (_, index) =>
      store.putIntent({ epoch: oldEpoch, intent: intent(`racing-${String(index).padStart(2, '0')}`) }).then(
        () => 'written' as const,
        (error: unknown) => (FencedWriteError.isInstance(error) ? ('fenced' as const) : Promise.reject(error)),
      ),
    );
    await oldLeader.release();
    const newEpoch = (await acquireWhenFree({ elector: newLeader, intervalMs: 10, maxAttempts: 500 })).epoch;
    const outcomes = await Promise.all(writes);
    expect(newEpoch).toBe(oldEpoch + 1);
    const stored = (await store.listIntents()).map((item) => item.key);
    const written = outcomes.flatMap((outcome, index) =>
      outcome === 'written' ? [`racing-${String(index).padStart(2, '0')}`] : [],
    );
    expect(stored).toEqual(written);
    const late = await store.putIntent({ epoch: oldEpoch, intent: intent('late') }).catch((caught) => caught);
    expect(FencedWriteError.isInstance(late)).toBe(true);
  });

  test('currentLeader is null when nobody holds the lock', async () => {
    const elector = createElector({ schema: nextSchema(), holderId: 'replica-a' });
    expect(await elector.currentLeader()).toBeNull();
    expect(elector.leadership).toBeNull();
    const leadership = await elector.acquire();
    expect(elector.leadership).toEqual(leadership);
  });
});
