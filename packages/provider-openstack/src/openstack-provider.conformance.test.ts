import type { ComputeProviderV1, CreateInstanceOptionsV1 } from '@headroom/core/provider';
import { type ConformanceFault, providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { FAKE_OPENSTACK_DEFAULTS, startFakeOpenstackServer } from '../test/fake-openstack-server.js';
import { openstackStack, openstackStackMissingMessage, stackSettings } from './__fixtures__/openstack-stack.js';
import { createOpenstackProvider } from './openstack-provider.js';

const runner = { describe, test, beforeAll, afterAll };

/**
 * The real stack cannot be told to fail one call, but it can refuse one for real: an armed
 * `insufficient-capacity` sends the next create with a flavor larger than the fake compute host (the
 * scheduler finds no valid host), an armed `quota-exceeded` sends it to the project whose instance
 * quota is 0.
 */
function withRealRefusals(options: {
  provider: ComputeProviderV1;
  refusals: Record<'insufficient-capacity' | 'quota-exceeded', ComputeProviderV1>;
}): { provider: ComputeProviderV1; arm: (fault: ConformanceFault) => void } {
  let armed: 'insufficient-capacity' | 'quota-exceeded' | undefined;
  return {
    arm(fault) {
      if (fault !== 'insufficient-capacity' && fault !== 'quota-exceeded') throw new Error(`cannot cause ${fault}`);
      armed = fault;
    },
    provider: {
      ...options.provider,
      createInstance(create: CreateInstanceOptionsV1) {
        const refusal = armed;
        armed = undefined;
        return (refusal ? options.refusals[refusal] : options.provider).createInstance(create);
      },
    },
  };
}

if (!openstackStack && process.env.CI) {
  test('the OpenStack test stack is running', () => {
    throw new Error(openstackStackMissingMessage);
  });
} else if (!openstackStack) {
  console.warn(`openstack real-stack tests skipped: ${openstackStackMissingMessage}`);
  describe.skip(`openstack conformance on the real stack (skipped: ${openstackStackMissingMessage})`, () => {
    test('stack', () => undefined);
  });
} else {
  const stack = openstackStack;
  // Keystone + Nova (fake virt driver) + Placement + Glance from Debian's packages, over plain fetch.
  providerConformanceSuite({
    name: 'openstack (real Keystone + Nova fake driver + Placement + Glance)',
    runner,
    faults: ['insufficient-capacity', 'quota-exceeded'],
    timeoutMs: 180_000,
    settleTimeoutMs: 60_000,
    createTarget: async () => {
      const provider = createOpenstackProvider(stackSettings(stack));
      const target = withRealRefusals({
        provider,
        refusals: {
          'insufficient-capacity': createOpenstackProvider(stackSettings(stack, { flavor: stack.hugeFlavor })),
          'quota-exceeded': createOpenstackProvider(stackSettings(stack, { projectName: stack.quotaProject })),
        },
      });
      return {
        provider: target.provider,
        shape: { cores: 1, memoryMb: 512, gpus: 0 },
        missingInstanceId: '00000000-0000-4000-8000-000000000000',
        injectFault: target.arm,
      };
    },
  });
}

// The local fake (Keystone, Nova, Glance, Cinder) covers what the real stack cannot do on demand:
// throttling, server errors, and boot volumes through Cinder.
const fakeFaults: ConformanceFault[] = ['insufficient-capacity', 'quota-exceeded', 'throttled', 'server-error'];
providerConformanceSuite({
  name: 'openstack (local fake with Cinder boot volumes)',
  runner,
  faults: fakeFaults,
  createTarget: async () => {
    const server = await startFakeOpenstackServer({ maxPageSize: 2 });
    const provider = createOpenstackProvider({
      ...FAKE_OPENSTACK_DEFAULTS.settings(server.url),
      createVolume: true,
      volumeSizeGb: 20,
      volumeType: 'ssd',
      pollIntervalMs: 100,
    });
    return {
      provider,
      shape: { cores: 2, memoryMb: 4096, gpus: 0 },
      missingInstanceId: '00000000-0000-4000-8000-000000000000',
      injectFault: (fault) => server.failNextCreate(fault),
      cleanup: async () => {
        await provider.close();
        await server.close();
      },
    };
  },
});
