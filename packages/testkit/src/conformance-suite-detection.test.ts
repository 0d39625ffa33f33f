import type { ComputeProviderV1, DnsProviderV1 } from '@headroom/core/provider';
import { InstanceNotFoundError } from '@headroom/core/provider';
import { createFakeDnsProvider, createFakeProvider, type FakeProvider } from '@headroom/core/test';
import { describe, expect, test } from 'vitest';
import type { ConformanceFault, ConformanceRunner } from './conformance-runner.js';
import { dnsConformanceSuite } from './dns-conformance-suite.js';
import { providerConformanceSuite } from './provider-conformance-suite.js';

interface CollectedTest {
  name: string;
  fn: () => Promise<void>;
}

/** A runner that collects the suite's tests and runs them in order, reporting which failed. */
function createCollectingRunner() {
  const tests: CollectedTest[] = [];
  const beforeAlls: (() => Promise<void>)[] = [];
  const afterAlls: (() => Promise<void>)[] = [];
  const runner: ConformanceRunner = {
    describe: (_name, fn) => fn(),
    test: (name, fn) => tests.push({ name, fn }),
    beforeAll: (fn) => beforeAlls.push(fn),
    afterAll: (fn) => afterAlls.push(fn),
  };
  const run = async (): Promise<{ passed: string[]; failed: string[] }> => {
    for (const fn of beforeAlls) await fn();
    const passed: string[] = [];
    const failed: string[] = [];
    for (const collected of tests) {
      try {
        await collected.fn();
        passed.push(collected.name);
      } catch {
        failed.push(collected.name);
      }
    }
    for (const fn of afterAlls) await fn();
    return { passed, failed };
  };
  return { runner, run };
}

const allFaults: ConformanceFault[] = ['insufficient-capacity', 'quota-exceeded', 'throttled', 'server-error'];

async function runComputeSuite(wrap: (fake: FakeProvider) => ComputeProviderV1) {
  const { runner, run } = createCollectingRunner();
  const fake = createFakeProvider();
  providerConformanceSuite({
    name: 'broken',
    runner,
    faults: allFaults,
    settleTimeoutMs: 50,
    createTarget: async () => ({
      provider: wrap(fake),
      shape: { cores: 1, memoryMb: 1024, gpus: 0 },
      injectFault: (fault) => fake.injectFault({ fault }),
    }),
  });
  return { ...(await run()), fake };
}

describe('the compute conformance suite', () => {
  test('passes the fake and leaves no instance behind', async () => {
    const { passed, failed, fake } = await runComputeSuite((provider) => provider);
    expect(failed).toEqual([]);
    expect(passed.length).toBeGreaterThanOrEqual(15);
    expect(fake.instances()).toEqual([]);
  });

  test('catches a create that is not idempotent', async () => {
    let counter = 0;
    const { failed } = await runComputeSuite((fake) => ({
      ...fake,
      createInstance: (options) => {
        counter += 1;
        return fake.createInstance({ ...options, idempotencyKey: `${options.idempotencyKey}-${counter}` });
      },
    }));
    expect(failed).toContain('createInstance is idempotent by idempotencyKey');
  });

  test('catches a destroy that fails on a missing instance', async () => {
    const { failed } = await runComputeSuite((fake) => ({
      ...fake,
      destroyInstance: async (options) => {
        if (!fake.instances().some((instance) => instance.instanceId === options.instanceId)) {
          throw new InstanceNotFoundError({ providerId: 'broken', instanceId: options.instanceId });
        }
        await fake.destroyInstance(options);
      },
    }));
    expect(failed).toEqual(
      expect.arrayContaining([
        'destroyInstance of an already destroyed instance succeeds',
        'destroyInstance of an instance that never existed succeeds',
      ]),
    );
  });

  test('catches a listing that ignores the tag filter', async () => {
    const { failed } = await runComputeSuite((fake) => ({
      ...fake,
      listInstances: (options) => fake.listInstances({ ...options, tags: {} }),
    }));
    expect(failed).toContain('listInstances filters by every given tag');
  });

  test('catches dropped tags', async () => {
    const { failed } = await runComputeSuite((fake) => ({
      ...fake,
      listInstances: async (options) =>
        (await fake.listInstances(options)).map((instance) => ({ ...instance, tags: {} })),
    }));
    expect(failed).toContain('listInstances shows a created instance with the four headroom tags');
  });

  test('catches faults surfaced as the wrong error class', async () => {
    const { failed } = await runComputeSuite((fake) => ({
      ...fake,
      createInstance: async (options) => {
        try {
          return await fake.createInstance(options);
        } catch (error) {
          throw new Error('something went wrong', { cause: error });
        }
      },
    }));
    expect(failed).toEqual(
      expect.arrayContaining(
        allFaults.map((fault) => `a ${fault} fault surfaces as its error class, and only for one call`),
      ),
    );
  });

  test('catches ignored abort signals', async () => {
    const { failed } = await runComputeSuite((fake) => ({
      ...fake,
      createInstance: ({ abortSignal: _ignored, ...options }) => fake.createInstance(options),
      listInstances: ({ abortSignal: _ignored, ...options }) => fake.listInstances(options),
    }));
    expect(failed).toEqual([
      'an already aborted signal rejects every call and creates nothing',
      'aborting an in-flight call rejects it with an abort error',
    ]);
  });
});

describe('the DNS conformance suite', () => {
  const runDnsSuite = async (wrap: (dns: DnsProviderV1) => DnsProviderV1) => {
    const { runner, run } = createCollectingRunner();
    dnsConformanceSuite({
      name: 'broken',
      runner,
      settleTimeoutMs: 50,
      createTarget: async () => ({ dns: wrap(createFakeDnsProvider()), zone: 'example.test' }),
    });
    return run();
  };

  test('passes the fake', async () => {
    const { passed, failed } = await runDnsSuite((dns) => dns);
    expect(failed).toEqual([]);
    expect(passed).toHaveLength(4);
  });

  test('catches an upsert that adds instead of replacing', async () => {
    const { failed } = await runDnsSuite((dns) => ({
      ...dns,
      upsertRecord: async (options) => {
        const records = await dns.listRecords({ zone: options.zone });
        if (records.some((record) => record.name === options.name && record.type === options.type)) return;
        await dns.upsertRecord(options);
      },
    }));
    expect(failed).toContain('upsertRecord replaces the value and TTL of an existing record');
  });

  test('catches a delete that fails on a missing record', async () => {
    const { failed } = await runDnsSuite((dns) => ({
      ...dns,
      deleteRecord: async (options) => {
        const records = await dns.listRecords({ zone: options.zone });
        if (!records.some((record) => record.name === options.name && record.type === options.type)) {
          throw new Error('record not found');
        }
        await dns.deleteRecord(options);
      },
    }));
    expect(failed).toEqual(['deleteRecord of a missing record succeeds']);
  });
});
