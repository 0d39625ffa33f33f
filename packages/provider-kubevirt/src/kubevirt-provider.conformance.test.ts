import { type ConformanceFault, providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { startKubevirtHarness } from './__fixtures__/kubevirt-harness.js';

const runner = { describe, test, beforeAll, afterAll };
const faults: ConformanceFault[] = ['insufficient-capacity', 'quota-exceeded', 'throttled', 'server-error'];

// The real client-node (fetch, auth header, Status errors) against the in-process fake API; the
// fake's controller plays KubeVirt and CDI (VMIs with status and addresses, DataVolumes, PVCs).
for (const flavour of ['kubevirt', 'harvester'] as const) {
  providerConformanceSuite({
    name: `${flavour} (fake Kubernetes API through client-node)`,
    runner,
    faults,
    createTarget: async () => {
      const harness = await startKubevirtHarness({ flavour, server: { maxPageSize: 2 } });
      return {
        provider: harness.provider,
        shape: flavour === 'kubevirt' ? { cores: 2, memoryMb: 4096, gpus: 0 } : { cores: 4, memoryMb: 8192, gpus: 0 },
        missingInstanceId: 'headroom-missing-vm',
        injectFault: harness.injectFault,
        cleanup: harness.close,
      };
    },
  });
}
