import assert from 'node:assert/strict';
import type {
  DemandSampleRecord,
  Intent,
  LedgerInstance,
  PendingCheckin,
  PlannerState,
  StateStore,
} from '@headroom/core';
import { emptyPlannerState, FencedWriteError } from '@headroom/core';

/** The test functions of a runner (vitest, jest, node:test adapters): the suite imports none itself. */
export interface StateStoreSuiteRunner {
  describe(name: string, body: () => void): unknown;
  test(name: string, body: () => Promise<void>): unknown;
  beforeAll(body: () => Promise<void> | void): unknown;
  afterAll(body: () => Promise<void> | void): unknown;
}

export interface StateStoreSuiteOptions {
  runner: StateStoreSuiteRunner;
  /** Shown in the outer `describe`; defaults to `state store`. */
  name?: string;
  /**
   * Returns a new store over its own, empty storage, not yet initialised. The suite calls
   * `init()` and `close()`; removing the storage afterwards (files, schemas) is the caller's job.
   */
  createStore: () => Promise<StateStore>;
  /**
   * Opens a new store over the storage of `store`, which the suite has closed. Omit it when the
   * target keeps nothing across a close (memory); the persistence tests are then left out.
   */
  reopenStore?: (options: { store: StateStore }) => Promise<StateStore>;
}

/**
 * The behaviour every `StateStore` implementation must show, runner-agnostic (assertions use
 * `node:assert`): round trips of planner state, intents and ledger instances, idempotent `init`,
 * epoch fencing on every write, and persistence across a reopen when the target supports it.
 *
 * Length: one short test per contract clause over one store factory; the clauses read as a list.
 */
export function stateStoreSuite({
  runner,
  name = 'state store',
  createStore,
  reopenStore,
}: StateStoreSuiteOptions): void {
  const { describe, test } = runner;

  async function withStore(body: (store: StateStore) => Promise<void>): Promise<void> {
    const store = await createStore();
    try {
      await store.init();
      await body(store);
    } finally {
      await store.close();
    }
  }

  describe(name, () => {
    describe('init', () => {
      test('a new store is empty', () =>
        withStore(async (store) => {
          assert.deepEqual(await store.getPlannerState(), emptyPlannerState());
          assert.deepEqual(await store.listIntents(), []);
          assert.deepEqual(await store.listInstances(), []);
          assert.deepEqual(await store.listPendingCheckins(), []);
          assert.deepEqual(await store.listDemandSamples({ pool: 'linux-agents', fromMs: 0 }), []);
        }));

      test('init is idempotent and keeps data', () =>
        withStore(async (store) => {
          await store.init();
          await store.putIntent({ epoch: 1, intent: createIntent({ key: 'intent-a' }) });
          await store.init();
          assert.deepEqual(
            (await store.listIntents()).map((intent) => intent.key),
            ['intent-a'],
          );
        }));

      test('kind names the implementation', () =>
        withStore(async (store) => {
          assert.equal(typeof store.kind, 'string');
          assert.ok(store.kind.length > 0);
        }));
    });

    describe('planner state', () => {
      test('round-trips, nulls and nested values included', () =>
        withStore(async (store) => {
          const state = createPlannerState();
          await store.putPlannerState({ epoch: 1, state });
          assert.deepEqual(await store.getPlannerState(), state);
        }));

      test('a put replaces the whole state', () =>
        withStore(async (store) => {
          await store.putPlannerState({ epoch: 1, state: createPlannerState() });
          const replacement: PlannerState = {
            autoscale: {
              'windows/rdp': {
                surplusSince: null,
                consecutiveFailures: 0,
                lastFailureAt: null,
                createBlockedUntil: null,
              },
            },
          };
          await store.putPlannerState({ epoch: 1, state: replacement });
          assert.deepEqual(await store.getPlannerState(), replacement);
        }));

      test('returned state is a copy', () =>
        withStore(async (store) => {
          const state = createPlannerState();
          await store.putPlannerState({ epoch: 1, state });
          state.autoscale = {};
          const read = await store.getPlannerState();
          read.autoscale = {};
          assert.deepEqual(await store.getPlannerState(), createPlannerState());
        }));
    });

    describe('intents', () => {
      test('round-trip with optional fields present and absent', () =>
        withStore(async (store) => {
          const minimal = createIntent({ key: 'intent-minimal', createdAt: '2026-11-22T10:00:00.000Z' });
          const full = createIntent({
            key: 'intent-full',
            createdAt: '2026-11-22T10:00:01.000Z',
            providerInstanceId: 'i-0abc',
            detail: 'insufficient capacity in us-east-1a',
            status: 'failed',
            attempts: 3,
            kind: 'destroy',
          });
          await store.putIntent({ epoch: 1, intent: minimal });
          await store.putIntent({ epoch: 1, intent: full });
          assert.deepEqual(await store.listIntents(), [minimal, full]);
        }));

      test('a put with the same key replaces the intent', () =>
        withStore(async (store) => {
          const intent = createIntent({ key: 'intent-a' });
          await store.putIntent({ epoch: 1, intent });
          const updated: Intent = {
            ...intent,
            status: 'done',
            attempts: 2,
            providerInstanceId: 'i-0def',
            updatedAt: '2026-11-22T10:05:00.000Z',
          };
          await store.putIntent({ epoch: 1, intent: updated });
          assert.deepEqual(await store.listIntents(), [updated]);
        }));

      test('filter by status', () =>
        withStore(async (store) => {
          await store.putIntent({ epoch: 1, intent: createIntent({ key: 'open-1', status: 'open' }) });
          await store.putIntent({ epoch: 1, intent: createIntent({ key: 'done-1', status: 'done' }) });
          await store.putIntent({ epoch: 1, intent: createIntent({ key: 'open-2', status: 'open' }) });
          await store.putIntent({ epoch: 1, intent: createIntent({ key: 'failed-1', status: 'failed' }) });
          const keys = async (status?: Intent['status']) =>
            (await store.listIntents(status === undefined ? undefined : { status })).map((intent) => intent.key);
          assert.deepEqual(await keys('open'), ['open-1', 'open-2']);
          assert.deepEqual(await keys('done'), ['done-1']);
          assert.deepEqual(await keys('failed'), ['failed-1']);
          assert.deepEqual(await keys(), ['done-1', 'failed-1', 'open-1', 'open-2']);
          assert.deepEqual(await store.listIntents({}), await store.listIntents());
        }));

      test('ordered by createdAt, then key', () =>
        withStore(async (store) => {
          await store.putIntent({
            epoch: 1,
            intent: createIntent({ key: 'b', createdAt: '2026-11-22T10:00:02.000Z' }),
          });
          await store.putIntent({
            epoch: 1,
            intent: createIntent({ key: 'c', createdAt: '2026-11-22T10:00:01.000Z' }),
          });
          await store.putIntent({
            epoch: 1,
            intent: createIntent({ key: 'a', createdAt: '2026-11-22T10:00:02.000Z' }),
          });
          assert.deepEqual(
            (await store.listIntents()).map((intent) => intent.key),
            ['c', 'a', 'b'],
          );
        }));

      test('deleteSettledIntents deletes only done and failed intents created before the instant', () =>
        withStore(async (store) => {
          const early = '2026-11-01T00:00:00.000Z';
          const late = '2026-11-20T00:00:00.000Z';
          for (const [key, status, createdAt] of [
            ['old-done', 'done', early],
            ['old-failed', 'failed', early],
            ['old-open', 'open', early],
            ['new-done', 'done', late],
            ['at-cutoff', 'done', '2026-11-10T00:00:00.000Z'],
          ] as const) {
            await store.putIntent({ epoch: 1, intent: createIntent({ key, status, createdAt }) });
          }
          const deleted = await store.deleteSettledIntents({ epoch: 1, createdBefore: '2026-11-10T00:00:00.000Z' });
          assert.equal(deleted, 2);
          assert.deepEqual(
            (await store.listIntents()).map((intent) => intent.key),
            ['old-open', 'at-cutoff', 'new-done'],
          );
          assert.deepEqual(
            (await store.listIntents({ status: 'done' })).map((intent) => intent.key),
            ['at-cutoff', 'new-done'],
          );
          assert.equal(await store.deleteSettledIntents({ epoch: 1, createdBefore: early }), 0);
        }));

      test('concurrent puts are all kept', () =>
        withStore(async (store) => {
          const keys = Array.from({ length: 40 }, (_, index) => `intent-${String(index).padStart(2, '0')}`);
          await Promise.all(keys.map((key) => store.putIntent({ epoch: 1, intent: createIntent({ key }) })));
          assert.deepEqual(
            (await store.listIntents()).map((intent) => intent.key),
            keys,
          );
        }));
    });

    describe('ledger instances', () => {
      test('round-trip with optional fields present and absent, ordered by id', () =>
        withStore(async (store) => {
          const minimal = createInstance({ id: 'agent-b' });
          const full = createInstance({
            id: 'agent-a',
            providerInstanceId: 'i-0abc',
            checkedInAt: '2026-11-22T10:03:00.000Z',
            address: '10.0.0.7',
            dnsName: 'agent-a.agents.example.com',
            state: 'running',
            shape: { cores: 4, memoryMb: 8192, gpus: 1 },
          });
          await store.putInstance({ epoch: 1, instance: minimal });
          await store.putInstance({ epoch: 1, instance: full });
          assert.deepEqual(await store.listInstances(), [full, minimal]);
        }));

      test('a put with the same id replaces the instance', () =>
        withStore(async (store) => {
          const instance = createInstance({ id: 'agent-a' });
          await store.putInstance({ epoch: 1, instance });
          const updated: LedgerInstance = { ...instance, state: 'destroying', address: '10.0.0.9' };
          await store.putInstance({ epoch: 1, instance: updated });
          assert.deepEqual(await store.listInstances(), [updated]);
        }));

      test('delete removes one instance; deleting a missing one succeeds', () =>
        withStore(async (store) => {
          await store.putInstance({ epoch: 1, instance: createInstance({ id: 'agent-a' }) });
          await store.putInstance({ epoch: 1, instance: createInstance({ id: 'agent-b' }) });
          await store.deleteInstance({ epoch: 1, id: 'agent-a' });
          await store.deleteInstance({ epoch: 1, id: 'agent-missing' });
          assert.deepEqual(
            (await store.listInstances()).map((instance) => instance.id),
            ['agent-b'],
          );
        }));

      test('returned instances are copies', () =>
        withStore(async (store) => {
          await store.putInstance({ epoch: 1, instance: createInstance({ id: 'agent-a' }) });
          const [read] = await store.listInstances();
          assert.ok(read);
          read.shape.cores = 99;
          read.state = 'failed';
          assert.deepEqual(await store.listInstances(), [createInstance({ id: 'agent-a' })]);
        }));
    });

    describe('pending check-ins', () => {
      test('round-trip with optional fields present and absent, ordered by instance id', () =>
        withStore(async (store) => {
          const progress = createPendingCheckin({ instanceId: 'agent-b', status: 'installing', at: '10:01:00' });
          const running = createPendingCheckin({ instanceId: 'agent-a', status: 'running', at: '10:02:00' });
          running.status.message = 'ready';
          running.status.progress = '100';
          await store.putPendingCheckin({ checkin: progress });
          await store.putPendingCheckin({ checkin: running });
          assert.deepEqual(await store.listPendingCheckins(), [running, progress]);
        }));

      test('one per instance: the earliest check-in and the newest status are kept', () =>
        withStore(async (store) => {
          const running = createPendingCheckin({ instanceId: 'agent-a', status: 'running', at: '10:02:00' });
          const later = createPendingCheckin({ instanceId: 'agent-a', status: 'finished', at: '10:03:00' });
          const older = createPendingCheckin({ instanceId: 'agent-a', status: 'installing', at: '10:01:00' });
          await store.putPendingCheckin({ checkin: running });
          await store.putPendingCheckin({ checkin: later });
          await store.putPendingCheckin({ checkin: older });
          assert.deepEqual(await store.listPendingCheckins(), [{ ...later, checkedInAt: running.checkedInAt }]);
        }));

      test('writes are not fenced by the leader epoch', () =>
        withStore(async (store) => {
          await store.putIntent({ epoch: 7, intent: createIntent({ key: 'by-epoch-7' }) });
          const checkin = createPendingCheckin({ instanceId: 'agent-a', status: 'running', at: '10:02:00' });
          await store.putPendingCheckin({ checkin });
          assert.deepEqual(await store.listPendingCheckins(), [checkin]);
          await store.deletePendingCheckins({ checkins: [checkin] });
          assert.deepEqual(await store.listPendingCheckins(), []);
        }));

      test('delete removes only the check-ins as listed; one merged since stays', () =>
        withStore(async (store) => {
          const first = createPendingCheckin({ instanceId: 'agent-a', status: 'installing', at: '10:01:00' });
          const other = createPendingCheckin({ instanceId: 'agent-b', status: 'running', at: '10:01:00' });
          await store.putPendingCheckin({ checkin: first });
          await store.putPendingCheckin({ checkin: other });
          const listed = await store.listPendingCheckins();
          const newer = createPendingCheckin({ instanceId: 'agent-a', status: 'running', at: '10:02:00' });
          await store.putPendingCheckin({ checkin: newer });
          const missing = createPendingCheckin({ instanceId: 'agent-missing', status: 'running', at: '10:02:00' });
          await store.deletePendingCheckins({ checkins: [...listed, missing] });
          assert.deepEqual(await store.listPendingCheckins(), [newer]);
          await store.deletePendingCheckins({ checkins: [] });
          assert.deepEqual(await store.listPendingCheckins(), [newer]);
        }));

      test('returned check-ins are copies', () =>
        withStore(async (store) => {
          const checkin = createPendingCheckin({ instanceId: 'agent-a', status: 'running', at: '10:02:00' });
          await store.putPendingCheckin({ checkin });
          const [read] = await store.listPendingCheckins();
          assert.ok(read);
          read.status.status = 'changed';
          assert.deepEqual(await store.listPendingCheckins(), [checkin]);
        }));
    });

    describe('demand samples', () => {
      test('round-trip oldest first, only the pool asked for, from fromMs on (inclusive)', () =>
        withStore(async (store) => {
          const samples = [
            createDemandSample({ minute: 2, cores: 6 }),
            createDemandSample({ minute: 0, cores: 4, memoryMb: 8192.5, gpus: 1 }),
            createDemandSample({ minute: 1, cores: 0, memoryMb: 0 }),
            createDemandSample({ minute: 1, pool: 'windows', cores: 9 }),
          ];
          await store.putDemandSamples({ epoch: 1, samples });
          assert.deepEqual(await store.listDemandSamples({ pool: 'linux-agents', fromMs: 0 }), [
            samples[1],
            samples[2],
            samples[0],
          ]);
          assert.deepEqual(await store.listDemandSamples({ pool: 'linux-agents', fromMs: minuteMs(1) }), [
            samples[2],
            samples[0],
          ]);
          assert.deepEqual(await store.listDemandSamples({ pool: 'windows', fromMs: 0 }), [samples[3]]);
          assert.deepEqual(await store.listDemandSamples({ pool: 'missing', fromMs: 0 }), []);
        }));

      test('a sample with the same pool and instant replaces the kept one', () =>
        withStore(async (store) => {
          await store.putDemandSamples({ epoch: 1, samples: [createDemandSample({ minute: 0, cores: 4 })] });
          const replacement = createDemandSample({ minute: 0, cores: 12, memoryMb: 2048 });
          const other = createDemandSample({ minute: 0, pool: 'windows', cores: 1 });
          await store.putDemandSamples({ epoch: 1, samples: [replacement, other] });
          assert.deepEqual(await store.listDemandSamples({ pool: 'linux-agents', fromMs: 0 }), [replacement]);
          assert.deepEqual(await store.listDemandSamples({ pool: 'windows', fromMs: 0 }), [other]);
          // Within one call too: the last of two samples of the same instant is kept.
          const last = createDemandSample({ minute: 5, cores: 3 });
          await store.putDemandSamples({ epoch: 1, samples: [createDemandSample({ minute: 5, cores: 1 }), last] });
          assert.deepEqual(await store.listDemandSamples({ pool: 'linux-agents', fromMs: minuteMs(5) }), [last]);
        }));

      test('deleteDemandSamples deletes every pool’s samples before the instant and counts them', () =>
        withStore(async (store) => {
          await store.putDemandSamples({
            epoch: 1,
            samples: [0, 1, 2, 3].flatMap((minute) => [
              createDemandSample({ minute }),
              createDemandSample({ minute, pool: 'windows' }),
            ]),
          });
          assert.equal(await store.deleteDemandSamples({ epoch: 1, beforeMs: minuteMs(2) }), 4);
          const minutesOf = async (pool: string) =>
            (await store.listDemandSamples({ pool, fromMs: 0 })).map((sample) => (sample.atMs - minuteMs(0)) / 60_000);
          assert.deepEqual(await minutesOf('linux-agents'), [2, 3]);
          assert.deepEqual(await minutesOf('windows'), [2, 3]);
          assert.equal(await store.deleteDemandSamples({ epoch: 1, beforeMs: minuteMs(0) }), 0);
        }));

      test('a bad value refuses the whole write, naming the field', () =>
        withStore(async (store) => {
          const good = createDemandSample({ minute: 0 });
          const cases: Array<[Partial<DemandSampleRecord>, RegExp]> = [
            [{ cores: -1 }, /samples\[1\]\.cores/],
            [{ memoryMb: Number.NaN }, /samples\[1\]\.memoryMb/],
            [{ gpus: Number.POSITIVE_INFINITY }, /samples\[1\]\.gpus/],
            [{ cores: 1e12 }, /samples\[1\]\.cores/],
            [{ atMs: 1.5 }, /samples\[1\]\.atMs/],
            [{ atMs: -60_000 }, /samples\[1\]\.atMs/],
            [{ pool: '' }, /samples\[1\]\.pool/],
          ];
          for (const [change, message] of cases) {
            const error = await captureError(() =>
              store.putDemandSamples({
                epoch: 1,
                samples: [good, { ...createDemandSample({ minute: 1 }), ...change }],
              }),
            );
            assert.match(String((error as Error).message), message);
          }
          assert.deepEqual(await store.listDemandSamples({ pool: 'linux-agents', fromMs: 0 }), []);
        }));

      test('returned samples are copies', () =>
        withStore(async (store) => {
          const sample = createDemandSample({ minute: 0, cores: 4 });
          await store.putDemandSamples({ epoch: 1, samples: [sample] });
          sample.cores = 99;
          const [read] = await store.listDemandSamples({ pool: 'linux-agents', fromMs: 0 });
          assert.ok(read);
          read.cores = 77;
          assert.deepEqual(await store.listDemandSamples({ pool: 'linux-agents', fromMs: 0 }), [
            createDemandSample({ minute: 0, cores: 4 }),
          ]);
        }));
    });

    describe('fencing', () => {
      test('a write with an older epoch is refused after a newer one was seen', () =>
        withStore(async (store) => {
          await store.putPlannerState({ epoch: 1, state: createPlannerState() });
          await store.putIntent({ epoch: 2, intent: createIntent({ key: 'by-epoch-2' }) });
          const error = await captureError(() =>
            store.putIntent({ epoch: 1, intent: createIntent({ key: 'by-epoch-1' }) }),
          );
          assertFenced(error);
          assert.equal(error.epoch, 1);
          assert.equal(error.currentEpoch, 2);
          assert.deepEqual(
            (await store.listIntents()).map((intent) => intent.key),
            ['by-epoch-2'],
          );
        }));

      test('every write method is fenced and changes nothing when refused', () =>
        withStore(async (store) => {
          const state = createPlannerState();
          await store.putPlannerState({ epoch: 5, state });
          await store.putInstance({ epoch: 5, instance: createInstance({ id: 'agent-a' }) });
          await store.putIntent({ epoch: 5, intent: createIntent({ key: 'settled', status: 'done' }) });
          const sample = createDemandSample({ minute: 0, cores: 4 });
          await store.putDemandSamples({ epoch: 5, samples: [sample] });
          const staleWrites: Array<[string, () => Promise<void>]> = [
            ['putPlannerState', () => store.putPlannerState({ epoch: 4, state: emptyPlannerState() })],
            ['putIntent', () => store.putIntent({ epoch: 4, intent: createIntent({ key: 'stale' }) })],
            ['putInstance', () => store.putInstance({ epoch: 4, instance: createInstance({ id: 'agent-stale' }) })],
            ['deleteInstance', () => store.deleteInstance({ epoch: 4, id: 'agent-a' })],
            [
              'deleteSettledIntents',
              async () => {
                await store.deleteSettledIntents({ epoch: 4, createdBefore: '2100-01-01T00:00:00.000Z' });
              },
            ],
            [
              'putDemandSamples',
              () => store.putDemandSamples({ epoch: 4, samples: [createDemandSample({ minute: 0, cores: 1 })] }),
            ],
            [
              'deleteDemandSamples',
              async () => {
                await store.deleteDemandSamples({ epoch: 4, beforeMs: minuteMs(60) });
              },
            ],
          ];
          for (const [method, write] of staleWrites) {
            const error = await captureError(write);
            assertFenced(error, `${method} with a stale epoch was not fenced`);
          }
          assert.deepEqual(await store.getPlannerState(), state);
          assert.deepEqual(
            (await store.listIntents()).map((intent) => intent.key),
            ['settled'],
          );
          assert.deepEqual(
            (await store.listInstances()).map((instance) => instance.id),
            ['agent-a'],
          );
          assert.deepEqual(await store.listDemandSamples({ pool: 'linux-agents', fromMs: 0 }), [sample]);
        }));

      test('the current and newer epochs may write; the highest seen is remembered', () =>
        withStore(async (store) => {
          await store.putIntent({ epoch: 3, intent: createIntent({ key: 'a' }) });
          await store.putIntent({ epoch: 3, intent: createIntent({ key: 'b' }) });
          await store.deleteInstance({ epoch: 7, id: 'agent-missing' });
          const error = await captureError(() => store.putIntent({ epoch: 6, intent: createIntent({ key: 'c' }) }));
          assertFenced(error);
          assert.equal(error.currentEpoch, 7);
          await store.putIntent({ epoch: 7, intent: createIntent({ key: 'd' }) });
          assert.deepEqual(
            (await store.listIntents()).map((intent) => intent.key),
            ['a', 'b', 'd'],
          );
        }));
    });

    if (reopenStore) {
      describe('persistence', () => {
        test('data survives a close and reopen', async () => {
          const store = await createStore();
          const state = createPlannerState();
          const intents = [
            createIntent({ key: 'intent-a', createdAt: '2026-11-22T10:00:00.000Z' }),
            createIntent({ key: 'intent-b', createdAt: '2026-11-22T10:00:01.000Z', status: 'done' }),
          ];
          const instance = createInstance({ id: 'agent-a', address: '10.0.0.7' });
          const pending = createPendingCheckin({ instanceId: 'agent-a', status: 'running', at: '10:02:00' });
          const samples = [createDemandSample({ minute: 0, cores: 2 }), createDemandSample({ minute: 1, cores: 6 })];
          try {
            await store.init();
            await store.putDemandSamples({ epoch: 2, samples });
            await store.putPlannerState({ epoch: 2, state });
            for (const intent of intents) await store.putIntent({ epoch: 2, intent });
            await store.putInstance({ epoch: 2, instance });
            await store.putPendingCheckin({ checkin: pending });
          } finally {
            await store.close();
          }
          const reopened = await reopenStore({ store });
          try {
            await reopened.init();
            assert.deepEqual(await reopened.getPlannerState(), state);
            assert.deepEqual(await reopened.listIntents(), intents);
            assert.deepEqual(await reopened.listIntents({ status: 'done' }), [intents[1]]);
            assert.deepEqual(await reopened.listInstances(), [instance]);
            assert.deepEqual(await reopened.listPendingCheckins(), [pending]);
            assert.deepEqual(await reopened.listDemandSamples({ pool: 'linux-agents', fromMs: 0 }), samples);
          } finally {
            await reopened.close();
          }
        });

        test('the highest epoch survives a close and reopen', async () => {
          const store = await createStore();
          try {
            await store.init();
            await store.putIntent({ epoch: 4, intent: createIntent({ key: 'by-epoch-4' }) });
          } finally {
            await store.close();
          }
          const reopened = await reopenStore({ store });
          try {
            await reopened.init();
            const error = await captureError(() =>
              reopened.putIntent({ epoch: 3, intent: createIntent({ key: 'by-epoch-3' }) }),
            );
            assertFenced(error, 'a stale epoch was accepted after reopen');
            assert.equal(error.currentEpoch, 4);
          } finally {
            await reopened.close();
          }
        });
      });
    }
  });
}

async function captureError(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to throw');
}

function assertFenced(error: unknown, message?: string): asserts error is FencedWriteError {
  assert.ok(FencedWriteError.isInstance(error), message ?? `expected FencedWriteError, got ${String(error)}`);
}

function createPlannerState(): PlannerState {
  return {
    autoscale: {
      'linux-agents/business-hours': {
        surplusSince: '2026-11-22T09:55:00.000Z',
        consecutiveFailures: 2,
        lastFailureAt: '2026-11-22T09:50:00.000Z',
        createBlockedUntil: '2026-11-22T09:51:00.000Z',
      },
      'windows/rdp': {
        surplusSince: null,
        consecutiveFailures: 0,
        lastFailureAt: null,
        createBlockedUntil: null,
      },
    },
  };
}

function createIntent(overrides: Partial<Intent> & { key: string }): Intent {
  return {
    kind: 'create',
    pool: 'linux-agents',
    autoscale: 'business-hours',
    provider: 'aws-east',
    instanceName: `hr-${overrides.key}`,
    status: 'open',
    attempts: 0,
    createdAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T10:00:00.000Z',
    ...overrides,
  };
}

/** A pending check-in received on 2026-11-22 at `at` (`hh:mm:ss`); `running` also checks in. */
function createPendingCheckin(options: { instanceId: string; status: string; at: string }): PendingCheckin {
  const at = `2026-11-22T${options.at}.000Z`;
  return {
    instanceId: options.instanceId,
    ...(options.status === 'running' ? { checkedInAt: at } : {}),
    status: { status: options.status, at },
  };
}

/** Clock ms of 2026-11-22 10:00 UTC plus `minute` minutes. */
function minuteMs(minute: number): number {
  return Date.parse('2026-11-22T10:00:00.000Z') + minute * 60_000;
}

/** A demand sample of `linux-agents` (unless `pool`) at 10:00 + `minute` on 2026-11-22. */
function createDemandSample(options: {
  minute: number;
  pool?: string;
  cores?: number;
  memoryMb?: number;
  gpus?: number;
}): DemandSampleRecord {
  return {
    pool: options.pool ?? 'linux-agents',
    atMs: minuteMs(options.minute),
    cores: options.cores ?? 4,
    memoryMb: options.memoryMb ?? 8192,
    gpus: options.gpus ?? 0,
  };
}

function createInstance(overrides: Partial<LedgerInstance> & { id: string }): LedgerInstance {
  return {
    pool: 'linux-agents',
    autoscale: 'business-hours',
    provider: 'aws-east',
    state: 'starting',
    shape: { cores: 2, memoryMb: 4096, gpus: 0 },
    createdAt: '2026-11-22T10:00:00.000Z',
    intentKey: `intent-${overrides.id}`,
    ...overrides,
  };
}
