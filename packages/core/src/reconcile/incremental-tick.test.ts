import { describe, expect, test } from 'vitest';
import { HEADROOM_TAGS } from '../provider/tags.js';
import type { AutoscalerEvent } from './autoscaler-events.js';
import { BASE_DOMAIN, createHarness, type Harness } from './reconcile-fixtures.test-helpers.js';

const dnsListsOf = (events: readonly AutoscalerEvent[]) =>
  events.filter((event) => event.type === 'provider-call' && event.method === 'listRecords').length;

/** Ticks every 30 s of fake clock time until a tick changes nothing, so the fleet is settled. */
async function settle(harness: Harness): Promise<void> {
  for (let tick = 0; tick < 10; tick++) {
    await harness.clock.advance(30_000);
    const result = await harness.tick();
    const { actions } = result;
    const acted =
      actions.created.length + actions.destroyed.length + actions.dnsUpserted.length + actions.dnsDeleted.length;
    if (acted === 0 && result.errors.length === 0 && dnsListsOf(harness.events) === 0) return;
    harness.events.length = 0;
  }
  throw new Error('the fleet did not settle');
}

const staleRecord = {
  zone: BASE_DOMAIN,
  name: `agents-main-abcdef12.${BASE_DOMAIN}`,
  type: 'A' as const,
  value: '127.9.9.9',
  ttlSeconds: 60,
};

describe('createAutoscaler: incremental ticks', () => {
  test('with nothing changed, ledger verification, orphans and stale DNS wait for the interval', async () => {
    const harness = createHarness({ autoscaler: { fullVerificationIntervalSeconds: 300 } });
    await harness.tick();
    await settle(harness);
    await harness.dns.upsertRecord(staleRecord);
    harness.events.length = 0;
    for (let tick = 0; tick < 3; tick++) {
      await harness.clock.advance(30_000);
      const result = await harness.tick();
      expect(result.actions.dnsDeleted).toEqual([]);
    }
    expect(dnsListsOf(harness.events)).toBe(0);
    expect(harness.dns.records({ zone: BASE_DOMAIN }).map((record) => record.name)).toContain(staleRecord.name);

    await harness.clock.advance(300_000);
    const result = await harness.tick();
    expect(result.actions.dnsDeleted).toEqual([staleRecord.name]);
  });

  test('a change in the listing verifies at once: a vanished instance leaves the ledger', async () => {
    const harness = createHarness({ autoscaler: { fullVerificationIntervalSeconds: 3600 } });
    await harness.tick();
    await settle(harness);
    const [victim] = await harness.store.listInstances();
    harness.provider.cloud.destroyInstance({ providerId: 'fake', instanceId: victim!.providerInstanceId! });
    await harness.clock.advance(30_000);
    await harness.tick();
    expect((await harness.store.listInstances()).map((entry) => entry.id)).not.toContain(victim!.id);
    expect(harness.dns.records({ zone: BASE_DOMAIN }).map((record) => record.name)).not.toContain(victim!.dnsName);
  });

  test('a new managed instance is seen at once and collected as an orphan after its grace', async () => {
    const harness = createHarness({ autoscaler: { fullVerificationIntervalSeconds: 3600 } });
    await harness.tick();
    await settle(harness);
    const orphan = harness.provider.cloud.createInstance({
      providerId: 'fake',
      name: 'agents-main-deadbeef',
      idempotencyKey: 'hr-unknown',
      tags: {
        [HEADROOM_TAGS.managedBy]: 'headroom',
        [HEADROOM_TAGS.pool]: 'agents',
        [HEADROOM_TAGS.autoscale]: 'main',
        [HEADROOM_TAGS.intent]: 'hr-unknown',
      },
      shape: { cores: 4, memoryMb: 8192, gpus: 0 },
    }).instance;
    let destroyedAt: number | undefined;
    for (let tick = 0; tick < 30 && destroyedAt === undefined; tick++) {
      await harness.clock.advance(30_000);
      const result = await harness.tick();
      if (result.actions.orphansDestroyed.includes(orphan.instanceId)) destroyedAt = tick;
    }
    // Grace 600 s at 30 s a tick: found on the tick that passes the grace, not at the interval.
    expect(destroyedAt).toBeDefined();
    expect(destroyedAt!).toBeLessThanOrEqual(20);
  });

  test('a write behind the leader’s back is read again after the interval', async () => {
    const harness = createHarness({ autoscaler: { fullVerificationIntervalSeconds: 600 } });
    await harness.tick();
    await settle(harness);
    const [entry] = await harness.store.listInstances();
    await harness.store.deleteInstance({ epoch: 1, id: entry!.id });
    await harness.clock.advance(30_000);
    expect((await harness.tick()).actions.orphansFound).toEqual([]);
    await harness.clock.advance(600_000);
    // Read again, the instance is unknown to the store and older than the orphan grace.
    const result = await harness.tick();
    expect(result.actions.orphansDestroyed).toEqual([entry!.providerInstanceId]);
  });
});
