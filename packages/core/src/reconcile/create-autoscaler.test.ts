import { describe, expect, test } from 'vitest';
import { InsufficientCapacityError } from '../errors/insufficient-capacity-error.js';
import { HEADROOM_TAGS } from '../provider/tags.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import { createMemoryStateStore } from '../store/memory-state-store.js';
import type { Intent, LedgerInstance } from '../store/state-store.js';
import { seedOpenIntent } from '../test/test-fixtures.js';
import { withOperatorDrain } from './merge-snapshot.js';
import { BASE_DOMAIN, createHarness, reconcileConfig, T0, testSession } from './reconcile-fixtures.test-helpers.js';

const managedTags = (intentKey: string) => ({
  [HEADROOM_TAGS.managedBy]: 'headroom',
  [HEADROOM_TAGS.pool]: 'agents',
  [HEADROOM_TAGS.autoscale]: 'main',
  [HEADROOM_TAGS.intent]: intentKey,
});

describe('createAutoscaler: creates', () => {
  test('writes the intent and a requested ledger entry before calling createInstance, with the four tags', async () => {
    const store = createMemoryStateStore();
    const seenAtCall: { openIntent: Intent | undefined; ledger: LedgerInstance | undefined }[] = [];
    const harness = createHarness({
      store,
      wrapProvider: (fake): ComputeProviderV1 => ({
        ...fake,
        createInstance: async (options) => {
          const intents = await store.listIntents({ status: 'open' });
          const ledger = await store.listInstances();
          seenAtCall.push({
            openIntent: intents.find((intent) => intent.key === options.idempotencyKey),
            ledger: ledger.find((entry) => entry.intentKey === options.idempotencyKey),
          });
          return fake.createInstance(options);
        },
        destroyInstance: (options) => fake.destroyInstance(options),
        listInstances: (options) => fake.listInstances(options),
      }),
    });
    const result = await harness.tick();
    expect(result.leader).toBe(true);
    expect(result.actions.created).toHaveLength(2);
    expect(seenAtCall).toHaveLength(2);
    for (const [index, seen] of seenAtCall.entries()) {
      const call = harness.provider.createCalls[index]!;
      expect(seen.openIntent?.kind).toBe('create');
      expect(seen.openIntent?.instanceName).toBe(call.name);
      expect(seen.ledger?.state).toBe('requested');
      expect(seen.ledger?.id).toBe(call.name);
      expect(call.tags).toEqual(managedTags(call.idempotencyKey));
      expect(call.name).toMatch(/^agents-main-[0-9a-f]{8}$/);
    }
    const ledger = await store.listInstances();
    expect(ledger.map((entry) => entry.state)).toEqual(['running', 'running']);
    expect(ledger.every((entry) => entry.providerInstanceId?.startsWith('fake-'))).toBe(true);
    expect((await store.listIntents({ status: 'done' })).filter((intent) => intent.kind === 'create')).toHaveLength(2);
  });

  test('a slow control plane that reports nothing never causes a second create', async () => {
    const harness = createHarness();
    harness.controlPlane.reporting = false;
    for (let index = 0; index < 6; index++) {
      await harness.tick();
      await harness.clock.advance(30_000);
    }
    expect(harness.provider.createCalls).toHaveLength(2);
    expect(harness.provider.instances()).toHaveLength(2);
  });

  test('a lost create response is retried with the same idempotency key and yields one instance', async () => {
    const harness = createHarness();
    harness.provider.injectFault({ fault: 'response-lost', operation: 'create', count: 1 });
    const result = await harness.tick();
    expect(result.actions.created).toHaveLength(2);
    expect(result.actions.createFailed).toBe(0);
    expect(harness.provider.createCalls).toHaveLength(3);
    const keys = harness.provider.createCalls.map((call) => call.idempotencyKey);
    expect(new Set(keys).size).toBe(2);
    expect(harness.provider.instances()).toHaveLength(2);
  });

  test('a create that failed is cleaned up by its tag, recorded, and backed off (never retried in a tight loop)', async () => {
    const harness = createHarness({
      autoscaler: { retry: { maxAttempts: 1, initialDelayMs: 1000, maxDelayMs: 1000 } },
    });
    harness.provider.injectFault({ fault: 'response-lost', operation: 'create', count: 1 });
    harness.provider.injectFault({ fault: 'insufficient-capacity', operation: 'create', count: 1 });
    const first = await harness.tick();
    expect(first.actions.createFailed).toBeGreaterThanOrEqual(1);
    const errorEvents = harness.events.filter((event) => event.type === 'instance-create-error');
    expect(errorEvents.length).toBe(first.actions.createFailed);
    // The lost-response create did happen in the cloud; the cleanup found it by its intent tag and destroyed it.
    expect(harness.provider.destroyCalls.length).toBeGreaterThanOrEqual(1);
    expect(harness.provider.instances()).toHaveLength(0);
    expect(await harness.store.listInstances()).toHaveLength(0);
    expect((await harness.store.listIntents({ status: 'failed' })).length).toBe(first.actions.createFailed);
    const state = await harness.store.getPlannerState();
    expect(state.autoscale['agents/main']?.consecutiveFailures).toBe(1);
    const callsAfterFailure = harness.provider.createCalls.length;

    for (let index = 0; index < 2; index++) {
      await harness.clock.advance(10_000);
      await harness.tick();
    }
    expect(harness.provider.createCalls.length).toBe(callsAfterFailure);

    await harness.clock.advance(15_000);
    const recovered = await harness.tick();
    expect(recovered.actions.created).toHaveLength(2);
    expect(harness.provider.instances()).toHaveLength(2);
  });

  test('a startup script is rendered with the instance values and the embedder values', async () => {
    const harness = createHarness({
      config: reconcileConfig({
        autoscale: { startupScript: 'host={server_hostname} fqdn={server_external_fqdn} jwt={checkin_jwt} {{x}}' },
        suppliedPlaceholders: ['checkin_jwt'],
      }),
      autoscaler: { startupScriptValues: ({ id }) => ({ checkin_jwt: `jwt-for-${id}` }) },
    });
    await harness.tick();
    const call = harness.provider.createCalls[0]!;
    expect(call.startupScript).toBe(`host=${call.name} fqdn=${call.name}.${BASE_DOMAIN} jwt=jwt-for-${call.name} {x}`);
  });

  test('a startup script with a missing value fails the create without calling the provider', async () => {
    // The embedder said it supplies {checkin_jwt} (so validation let it through) but supplies nothing.
    const harness = createHarness({
      config: reconcileConfig({
        autoscale: { startupScript: 'jwt={checkin_jwt}' },
        suppliedPlaceholders: ['checkin_jwt'],
      }),
    });
    const result = await harness.tick();
    expect(harness.provider.createCalls).toHaveLength(0);
    expect(result.actions.createFailed).toBe(2);
    expect((await harness.store.getPlannerState()).autoscale['agents/main']?.consecutiveFailures).toBe(1);
  });

  test('maxInstances caps creates, counting orphans and requested instances', async () => {
    const harness = createHarness({
      config: reconcileConfig({ maxInstances: 3, autoscale: { standby: { cores: 40, memoryMb: 0, gpus: 0 } } }),
    });
    harness.provider.cloud.createInstance({
      providerId: 'fake',
      name: 'agents-main-00000000',
      idempotencyKey: 'foreign',
      tags: managedTags('foreign'),
      shape: { cores: 4, memoryMb: 8192, gpus: 0 },
    });
    await harness.tick();
    expect(harness.provider.instances()).toHaveLength(3);
    expect(harness.provider.stats().providers.fake?.maxLiveInstances).toBe(3);
  });
});

describe('createAutoscaler: crash recovery', () => {
  test('adopts the instance of an open intent whose create response never arrived (crash after the call)', async () => {
    const store = createMemoryStateStore();
    const harness = createHarness({ store });
    const key = 'hr-00000000000000000001';
    const name = 'agents-main-0badf00d';
    await seedOpenIntent({
      store,
      key,
      instanceName: name,
      atMs: T0,
      requested: { shape: { cores: 4, memoryMb: 8192, gpus: 0 } },
    });
    const { instance } = harness.provider.cloud.createInstance({
      providerId: 'fake',
      name,
      idempotencyKey: key,
      tags: managedTags(key),
      shape: { cores: 4, memoryMb: 8192, gpus: 0 },
    });
    const result = await harness.tick();
    expect(result.actions.intentsResolved).toBe(1);
    const adopted = (await store.listInstances()).find((entry) => entry.id === name);
    expect(adopted?.providerInstanceId).toBe(instance.instanceId);
    expect(harness.events.some((event) => event.type === 'intent-resolved' && event.outcome === 'adopted')).toBe(true);
    // One more instance makes the 8-core standby; the adopted one is not destroyed as an orphan.
    expect(harness.provider.createCalls).toHaveLength(1);
    expect(harness.provider.destroyCalls).toHaveLength(0);
    expect(harness.provider.instances()).toHaveLength(2);
  });

  test('settled intents older than the retention are deleted, at most once an hour', async () => {
    const store = createMemoryStateStore();
    const harness = createHarness({ store, autoscaler: { intentRetentionSeconds: 3600 } });
    const settled = (key: string, atMs: number, status: 'done' | 'failed' | 'open') => {
      const at = new Date(atMs).toISOString();
      return store.putIntent({
        epoch: 1,
        intent: {
          key,
          kind: 'destroy',
          pool: 'agents',
          autoscale: 'main',
          provider: 'cloud',
          instanceName: `gone-${key}`,
          status,
          attempts: 1,
          createdAt: at,
          updatedAt: at,
        },
      });
    };
    await settled('two-hours-ago', T0 - 7_200_000, 'done');
    await settled('failed-two-hours-ago', T0 - 7_200_000, 'failed');
    await settled('fifty-nine-minutes-ago', T0 - 3_540_000, 'done');
    const keys = async () => (await store.listIntents()).map((intent) => intent.key);

    const first = await harness.tick();
    expect(first.actions.intentsDeleted).toBe(2);
    expect(await keys()).not.toContain('two-hours-ago');
    expect(await keys()).not.toContain('failed-two-hours-ago');
    expect(await keys()).toContain('fifty-nine-minutes-ago');

    // Past the retention now, but the hour since the last deletion has not passed.
    await harness.clock.advance(1_800_000);
    const second = await harness.tick();
    expect(second.actions.intentsDeleted).toBe(0);
    expect(await keys()).toContain('fifty-nine-minutes-ago');

    await harness.clock.advance(1_800_000);
    const third = await harness.tick();
    expect(third.actions.intentsDeleted).toBeGreaterThanOrEqual(1);
    const left = await store.listIntents();
    expect(left.map((intent) => intent.key)).not.toContain('fifty-nine-minutes-ago');
    const cutoff = new Date(T0 + 3_600_000 - 3_600_000).toISOString();
    expect(left.filter((intent) => intent.status !== 'open' && intent.createdAt < cutoff)).toEqual([]);
  });

  test('an open intent with no tagged instance counts as pending until the grace period, then fails', async () => {
    const store = createMemoryStateStore();
    const harness = createHarness({ store, autoscaler: { intentGraceSeconds: 60 } });
    for (const [index, name] of ['agents-main-00000001', 'agents-main-00000002'].entries()) {
      await seedOpenIntent({
        store,
        key: `hr-crashed-${index}`,
        instanceName: name,
        atMs: T0,
        requested: { shape: { cores: 4, memoryMb: 8192, gpus: 0 } },
      });
    }
    await harness.tick();
    expect(harness.provider.createCalls).toHaveLength(0);
    await harness.clock.advance(61_000);
    const result = await harness.tick();
    expect(result.actions.intentsResolved).toBe(2);
    expect(await store.listIntents({ status: 'open' })).toHaveLength(0);
    expect(harness.provider.createCalls).toHaveLength(2);
    expect((await store.listInstances()).map((entry) => entry.id)).not.toContain('agents-main-00000001');
  });

  test('finishes an interrupted destroy: the instance is destroyed, its DNS record and ledger entry removed', async () => {
    const harness = createHarness();
    await harness.tick();
    const [victim] = await harness.store.listInstances();
    expect(victim?.dnsName).toBe(`${victim?.id}.${BASE_DOMAIN}`);
    // Crash after the destroy intent and the `destroying` ledger write, before the provider call.
    await seedOpenIntent({
      store: harness.store,
      kind: 'destroy',
      key: `destroy-${victim!.id}`,
      instanceName: victim!.id,
      providerInstanceId: victim!.providerInstanceId!,
      atMs: harness.clock.now(),
    });
    await harness.store.putInstance({ epoch: 1, instance: { ...victim!, state: 'destroying' } });
    harness.restart();
    const result = await harness.tick();
    expect(result.actions.destroyed).toContainEqual({ id: victim!.id, cause: 'recovery' });
    expect(harness.provider.instances().map((instance) => instance.instanceId)).not.toContain(
      victim!.providerInstanceId,
    );
    expect(harness.dns.records({ zone: BASE_DOMAIN }).map((record) => record.name)).not.toContain(victim!.dnsName);
    expect(await harness.store.listIntents({ status: 'open' })).toHaveLength(0);
  });
  test('closes a destroy intent written just before a crash, when the ledger never marked the instance destroying', async () => {
    const harness = createHarness();
    await harness.tick();
    const [kept] = await harness.store.listInstances();
    await seedOpenIntent({
      store: harness.store,
      kind: 'destroy',
      key: `destroy-${kept!.id}`,
      instanceName: kept!.id,
      providerInstanceId: kept!.providerInstanceId!,
      atMs: harness.clock.now(),
    });
    harness.restart();
    const result = await harness.tick();
    expect(result.actions.intentsResolved).toBe(1);
    expect(harness.provider.destroyCalls).toHaveLength(0);
    expect(await harness.store.listIntents({ status: 'open' })).toEqual([]);
    expect((await harness.store.listIntents({ status: 'failed' })).map((intent) => intent.key)).toEqual([
      `destroy-${kept!.id}`,
    ]);
  });

  test('cancels an interrupted destroy when the control plane placed sessions on the instance meanwhile', async () => {
    const harness = createHarness();
    await harness.tick();
    const [busy] = await harness.store.listInstances();
    await seedOpenIntent({
      store: harness.store,
      kind: 'destroy',
      key: `destroy-${busy!.id}`,
      instanceName: busy!.id,
      providerInstanceId: busy!.providerInstanceId!,
      atMs: harness.clock.now(),
    });
    await harness.store.putInstance({ epoch: 1, instance: { ...busy!, state: 'destroying' } });
    harness.controlPlane.sessions.set(busy!.id, [testSession()]);
    harness.restart();
    const result = await harness.tick();
    expect(result.actions.destroySkipped.map((skipped) => skipped.id)).toEqual([busy!.id]);
    expect(harness.provider.destroyCalls).toHaveLength(0);
    expect((await harness.store.listInstances()).find((entry) => entry.id === busy!.id)?.state).toBe('running');
    expect(await harness.store.listIntents({ status: 'open' })).toEqual([]);
  });
});

describe('createAutoscaler: orphans', () => {
  const plantOrphan = (harness: ReturnType<typeof createHarness>) =>
    harness.provider.cloud.createInstance({
      providerId: 'fake',
      name: 'agents-main-deadbeef',
      idempotencyKey: 'hr-unknown',
      tags: managedTags('hr-unknown'),
      shape: { cores: 4, memoryMb: 8192, gpus: 0 },
    }).instance;

  test('destroys a managed instance unknown to the store only after the grace period', async () => {
    const harness = createHarness({
      config: reconcileConfig({ autoscale: { standby: { cores: 0, memoryMb: 0, gpus: 0 } } }),
    });
    const orphan = plantOrphan(harness);
    await harness.tick();
    expect(harness.provider.destroyCalls).toHaveLength(0);
    await harness.clock.advance(601_000);
    const result = await harness.tick();
    expect(result.actions.orphansDestroyed).toEqual([orphan.instanceId]);
    expect(harness.provider.instances()).toHaveLength(0);
    expect(harness.events.some((event) => event.type === 'orphan-destroyed')).toBe(true);
  });

  test('in report mode only reports the orphan', async () => {
    const harness = createHarness({
      config: reconcileConfig({ autoscale: { standby: { cores: 0, memoryMb: 0, gpus: 0 } } }),
      autoscaler: { orphans: { mode: 'report', graceSeconds: 60 } },
    });
    const orphan = plantOrphan(harness);
    await harness.clock.advance(61_000);
    const result = await harness.tick();
    expect(result.actions.orphansFound).toEqual([orphan.instanceId]);
    expect(result.actions.orphansDestroyed).toEqual([]);
    expect(harness.provider.destroyCalls).toHaveLength(0);
    expect(harness.provider.instances()).toHaveLength(1);
    expect(harness.events.filter((event) => event.type === 'orphan-found')).toHaveLength(1);
  });

  test('never destroys an orphan the control plane reports with sessions', async () => {
    const harness = createHarness({
      config: reconcileConfig({ autoscale: { standby: { cores: 0, memoryMb: 0, gpus: 0 } } }),
    });
    const orphan = plantOrphan(harness);
    harness.controlPlane.sessions.set(orphan.name, [testSession()]);
    await harness.clock.advance(601_000);
    await harness.tick();
    expect(harness.provider.destroyCalls).toHaveLength(0);
  });
});

describe('createAutoscaler: DNS', () => {
  test('registers <id>.<baseDomain> on create, removes it on destroy, and collects stale managed records', async () => {
    const harness = createHarness();
    await harness.dns.upsertRecord({
      zone: BASE_DOMAIN,
      name: `agents-main-abcdef12.${BASE_DOMAIN}`,
      type: 'A',
      value: '127.9.9.9',
      ttlSeconds: 60,
    });
    await harness.dns.upsertRecord({
      zone: BASE_DOMAIN,
      name: `www.${BASE_DOMAIN}`,
      type: 'A',
      value: '127.9.9.8',
      ttlSeconds: 60,
    });
    await harness.tick();
    const ledger = await harness.store.listInstances();
    const names = harness.dns
      .records({ zone: BASE_DOMAIN })
      .map((record) => record.name)
      .sort();
    expect(names).toEqual([...ledger.map((entry) => `${entry.id}.${BASE_DOMAIN}`), `www.${BASE_DOMAIN}`].sort());
    for (const entry of ledger) {
      const record = harness.dns.records({ zone: BASE_DOMAIN }).find((candidate) => candidate.name === entry.dnsName);
      const instance = harness.provider
        .instances()
        .find((candidate) => candidate.instanceId === entry.providerInstanceId);
      expect(record?.value).toBe(instance?.privateAddress);
    }

    harness.autoscaler.updateConfig(reconcileConfig({ autoscale: { standby: { cores: 0, memoryMb: 0, gpus: 0 } } }));
    await harness.tick();
    await harness.clock.advance(61_000);
    const result = await harness.tick();
    expect(result.actions.destroyed.map((destroyed) => destroyed.cause)).toEqual(['scale-down', 'scale-down']);
    expect(harness.dns.records({ zone: BASE_DOMAIN }).map((record) => record.name)).toEqual([`www.${BASE_DOMAIN}`]);
    expect(await harness.store.listInstances()).toHaveLength(0);
  });
});

describe('createAutoscaler: sessions and check-ins', () => {
  test('skips a planned destroy when the fresh snapshot shows a session on the instance', async () => {
    const harness = createHarness();
    await harness.tick();
    harness.autoscaler.updateConfig(reconcileConfig({ autoscale: { standby: { cores: 0, memoryMb: 0, gpus: 0 } } }));
    await harness.tick();
    await harness.clock.advance(61_000);
    const [busy] = await harness.store.listInstances();
    harness.controlPlane.beforeSnapshot = () => {
      // The session arrives between the planning snapshot and the destroy.
      if (harness.controlPlane.snapshotCount >= 4) harness.controlPlane.sessions.set(busy!.id, [testSession()]);
    };
    const result = await harness.tick();
    expect(result.actions.destroySkipped.map((skipped) => skipped.id)).toContain(busy!.id);
    expect(harness.provider.instances().map((instance) => instance.name)).toContain(busy!.id);
    expect(result.actions.destroyed).toHaveLength(1);
  });

  test('destroys an instance that never checks in after the timeout, but not one that checked in', async () => {
    const harness = createHarness({
      config: reconcileConfig({ autoscale: { requireCheckin: true, checkinTimeoutSeconds: 300 } }),
    });
    harness.controlPlane.reporting = false;
    await harness.tick();
    const [first, second] = await harness.store.listInstances();
    await harness.autoscaler.recordCheckin({ instanceId: first!.id, at: harness.clock.now() });
    await harness.clock.advance(301_000);
    const result = await harness.tick();
    expect(result.actions.destroyed).toEqual([{ id: second!.id, cause: 'checkin-timeout' }]);
    expect((await harness.store.listInstances()).find((entry) => entry.id === first!.id)?.checkedInAt).toBeDefined();
    expect((await harness.store.getPlannerState()).autoscale['agents/main']?.consecutiveFailures).toBe(1);
  });
});

describe('createAutoscaler: check-ins recorded during a tick', () => {
  test('are written by that tick or the next, found by Headroom id or provider instance id', async () => {
    const harness = createHarness({
      config: reconcileConfig({ autoscale: { requireCheckin: true, checkinTimeoutSeconds: 300 } }),
    });
    harness.controlPlane.reporting = false;
    await harness.tick();
    const [first, second] = await harness.store.listInstances();
    expect(second!.providerInstanceId).toBeDefined();
    const inFlight = harness.tick();
    await harness.autoscaler.recordCheckin({ instanceId: first!.id, at: harness.clock.now() });
    await harness.autoscaler.recordCheckin({ instanceId: second!.providerInstanceId!, at: harness.clock.now() });
    await inFlight;
    const checkedIn = async () =>
      (await harness.store.listInstances()).filter((entry) => entry.checkedInAt !== undefined).map((entry) => entry.id);
    await harness.clock.advance(301_000);
    const result = await harness.tick();
    expect(await checkedIn()).toEqual([first!.id, second!.id].sort());
    expect(result.actions.destroyed).toEqual([]);
  });
});

describe('createAutoscaler: check-ins a follower kept in the store', () => {
  test('the next tick applies them like direct ones, then deletes them; stale ones are dropped', async () => {
    const harness = createHarness({
      config: reconcileConfig({ autoscale: { requireCheckin: true, checkinTimeoutSeconds: 300 } }),
    });
    harness.controlPlane.reporting = false;
    await harness.tick();
    const [first, second] = await harness.store.listInstances();
    const at = new Date(harness.clock.now()).toISOString();
    const running = { status: 'running', message: 'up', progress: '100', at };
    await harness.store.putPendingCheckin({ checkin: { instanceId: first!.id, checkedInAt: at, status: running } });
    const installing = { status: 'installing', at };
    await harness.store.putPendingCheckin({ checkin: { instanceId: second!.id, status: installing } });
    await harness.store.putPendingCheckin({
      checkin: { instanceId: 'agents-main-gone', checkedInAt: at, status: running },
    });
    await harness.tick();
    const ledger = await harness.store.listInstances();
    expect(ledger.find((entry) => entry.id === first!.id)).toMatchObject({ checkedInAt: at, serverStatus: running });
    expect(ledger.find((entry) => entry.id === second!.id)?.serverStatus).toEqual(installing);
    expect(ledger.find((entry) => entry.id === second!.id)?.checkedInAt).toBeUndefined();
    expect(await harness.store.listPendingCheckins()).toEqual([]);
    await harness.clock.advance(301_000);
    const result = await harness.tick();
    expect(result.actions.destroyed).toEqual([{ id: second!.id, cause: 'checkin-timeout' }]);
  });

  test('a newer status received directly wins over an older kept one', async () => {
    const harness = createHarness();
    await harness.tick();
    const [first] = await harness.store.listInstances();
    const keptAt = new Date(harness.clock.now()).toISOString();
    await harness.store.putPendingCheckin({
      checkin: { instanceId: first!.id, checkedInAt: keptAt, status: { status: 'running', at: keptAt } },
    });
    await harness.clock.advance(1_000);
    const readyAt = harness.clock.now();
    const inFlight = harness.tick();
    await harness.autoscaler.recordCheckin({ instanceId: first!.id, at: readyAt, status: { status: 'ready' } });
    await inFlight;
    await harness.tick();
    const entry = (await harness.store.listInstances()).find((candidate) => candidate.id === first!.id);
    expect(entry?.checkedInAt).toBe(keptAt);
    expect(entry?.serverStatus).toEqual({ status: 'ready', at: new Date(readyAt).toISOString() });
  });
});

describe('createAutoscaler: dry run', () => {
  test('plans but calls nothing that changes the cloud, DNS or the store', async () => {
    const store = createMemoryStateStore();
    const harness = createHarness({ store, autoscaler: { dryRun: true } });
    const orphan = harness.provider.cloud.createInstance({
      providerId: 'fake',
      name: 'agents-main-deadbeef',
      idempotencyKey: 'hr-unknown',
      tags: managedTags('hr-unknown'),
      shape: { cores: 4, memoryMb: 8192, gpus: 0 },
    }).instance;
    await harness.dns.upsertRecord({
      zone: BASE_DOMAIN,
      name: `agents-main-abcdef12.${BASE_DOMAIN}`,
      type: 'A',
      value: '127.9.9.9',
      ttlSeconds: 60,
    });
    const upsertsBefore = harness.dns.upsertCalls.length;
    await harness.clock.advance(601_000);
    const first = await harness.tick();
    const second = await harness.tick();
    expect(first.plan?.configs[0]?.create).toBeGreaterThan(0);
    expect(first.actions.created.length).toBeGreaterThan(0);
    expect(first.actions.orphansDestroyed).toEqual([orphan.instanceId]);
    expect(second.actions.created).toEqual([]);
    expect(harness.provider.createCalls).toHaveLength(0);
    expect(harness.provider.destroyCalls).toHaveLength(0);
    expect(harness.provider.instances()).toHaveLength(1);
    expect(harness.dns.upsertCalls).toHaveLength(upsertsBefore);
    expect(harness.dns.deleteCalls).toHaveLength(0);
    expect(await store.listIntents()).toEqual([]);
    expect(await store.listInstances()).toEqual([]);
  });
});

describe('createAutoscaler: leadership and lifecycle', () => {
  test('does nothing when another replica leads', async () => {
    const harness = createHarness({
      autoscaler: {
        leaderElector: { acquire: async () => null, release: async () => undefined, currentLeader: async () => null },
      },
    });
    const result = await harness.tick();
    expect(result.leader).toBe(false);
    expect(harness.provider.listCalls).toHaveLength(0);
    expect(harness.provider.createCalls).toHaveLength(0);
  });

  test('a deposed leader (older epoch than the store knows) is fenced and creates nothing', async () => {
    const store = createMemoryStateStore();
    await store.putPlannerState({ epoch: 5, state: { autoscale: {} } });
    const harness = createHarness({ store });
    const result = await harness.tick();
    expect(result.leader).toBe(false);
    expect(result.errors.map((error) => error.errorClass)).toContain('FencedWriteError');
    expect(harness.provider.createCalls).toHaveLength(0);
    expect(harness.events).toContainEqual(expect.objectContaining({ type: 'leadership-change', leader: false }));
  });

  test('start() ticks on the interval and stop() ends the loop', async () => {
    const harness = createHarness({ config: reconcileConfig() });
    harness.autoscaler.start();
    await harness.clock.advance(95_000);
    await harness.autoscaler.stop();
    const ticks = harness.events.filter((event) => event.type === 'tick-start').length;
    expect(ticks).toBe(4);
    await harness.clock.advance(120_000);
    expect(harness.events.filter((event) => event.type === 'tick-start').length).toBe(4);
    expect(harness.events.at(-1)).toMatchObject({ type: 'leadership-change', leader: false });
  });

  test('emits one provider-call event per attempt, with the error class of failures', async () => {
    const harness = createHarness();
    harness.provider.nextCreateError = new InsufficientCapacityError({ providerId: 'fake', message: 'no room' });
    await harness.tick();
    const calls = harness.events.filter((event) => event.type === 'provider-call');
    expect(
      calls.some((event) => event.method === 'createInstance' && event.errorClass === 'InsufficientCapacityError'),
    ).toBe(true);
    expect(calls.some((event) => event.method === 'listInstances' && event.errorClass === undefined)).toBe(true);
  });
});

describe('createAutoscaler: operator drains', () => {
  /** Fires the fake clock's timers until `promise` settles (the pass it runs may wait on them). */
  async function settle<T>(harness: ReturnType<typeof createHarness>, promise: Promise<T>): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => {
      settled = true;
    });
    for (let step = 0; !settled && step < 100_000; step++) {
      const fired = await harness.clock.advanceToNextTimer();
      if (!fired) await new Promise((resolve) => setImmediate(resolve));
    }
    return tracked;
  }

  test('a drain is written to the ledger by a pass and the planner sees it draining; the undrain clears it', async () => {
    const harness = createHarness();
    await harness.tick();
    const [first] = await harness.store.listInstances();
    harness.controlPlane.sessions.set(first!.id, [testSession()]);
    const record = (drained: boolean, instanceId = first!.id) =>
      settle(harness, harness.autoscaler.recordOperatorDrain({ instanceId, drained, at: harness.clock.now() }));

    const drainedAtMs = harness.clock.now();
    expect(await record(true)).toBe(true);
    const drainedEntry = (await harness.store.listInstances()).find((entry) => entry.id === first!.id);
    expect(drainedEntry?.operatorDrainedAt).toBe(new Date(drainedAtMs).toISOString());
    // The pass that wrote it planned with the instance draining: it no longer counts as available.
    const plan = harness.autoscaler.lastTick()?.plan?.configs[0];
    expect(plan?.reasons.join(' ')).not.toMatch(new RegExp(`undrain ${first!.id}`));
    expect(plan?.undrain).toEqual([]);
    expect(plan?.create).toBe(1);
    expect(plan?.destroy).not.toContain(first!.id);
    await harness.clock.advance(30_000);
    const next = await harness.tick();
    expect(next.plan?.configs[0]?.undrain).toEqual([]);

    expect(await record(false)).toBe(true);
    const undrainedEntry = (await harness.store.listInstances()).find((entry) => entry.id === first!.id);
    expect(undrainedEntry).toBeDefined();
    expect(undrainedEntry?.operatorDrainedAt).toBeUndefined();
    expect(await record(true, 'not-in-the-ledger')).toBe(false);
  });
});

describe('withOperatorDrain', () => {
  const instance = {
    id: 'a1',
    pool: 'agents',
    autoscale: 'main',
    provider: 'cloud',
    state: 'running' as const,
    checkedIn: true,
    createdAt: new Date(T0).toISOString(),
    capacity: { cores: 4, memoryMb: 8192, gpus: 0 },
    sessions: [],
  };
  const entry = (operatorDrainedAt?: string): LedgerInstance => ({
    id: 'a1',
    pool: 'agents',
    autoscale: 'main',
    provider: 'cloud',
    state: 'running',
    shape: instance.capacity,
    createdAt: instance.createdAt,
    intentKey: 'k1',
    ...(operatorDrainedAt ? { operatorDrainedAt } : {}),
  });

  test('a running instance an operator drained is draining and drainedByOperator; other states and undrained ones stay', () => {
    const at = new Date(T0).toISOString();
    expect(withOperatorDrain(instance, entry(at))).toMatchObject({ state: 'draining', drainedByOperator: true });
    expect(withOperatorDrain(instance, entry())).toBe(instance);
    expect(withOperatorDrain(instance, undefined)).toBe(instance);
    expect(withOperatorDrain({ ...instance, state: 'failed' }, entry(at)).state).toBe('failed');
  });
});
