import { providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { createHarvesterProvider, createKubevirtProvider } from './kubevirt-provider.js';

/**
 * Conformance against a real cluster with KubeVirt (+ CDI) or Harvester. Skipped unless
 * HEADROOM_KUBEVIRT_LIVE=1. It starts and deletes real VMs, labelled
 * `headroom-managed-by=headroom-conformance-<run id>`, in the namespace given.
 *
 *   HEADROOM_KUBEVIRT_LIVE=1 KUBECONFIG=~/.kube/config HEADROOM_KUBEVIRT_NAMESPACE=kasm \
 *   HEADROOM_KUBEVIRT_DISK_SOURCE_PVC=kasm-ubuntu-focal [HEADROOM_KUBEVIRT_STORAGE_CLASS=kasm-storage] \
 *   pnpm vitest run packages/provider-kubevirt/src/kubevirt-provider.live.test.ts
 *
 * For Harvester, set HEADROOM_KUBEVIRT_FLAVOUR=harvester and HEADROOM_KUBEVIRT_DISK_IMAGE=<image>
 * (and HEADROOM_KUBEVIRT_NETWORK=<vm network> for a multus network) instead of the PVC.
 */
const live = process.env.HEADROOM_KUBEVIRT_LIVE === '1';
const runner = { describe, test, beforeAll, afterAll };

describe.skipIf(!live)('kubevirt live (real cluster)', () => {
  providerConformanceSuite({
    name: `${process.env.HEADROOM_KUBEVIRT_FLAVOUR ?? 'kubevirt'} live`,
    runner,
    timeoutMs: 600_000,
    settleTimeoutMs: 120_000,
    createTarget: async () => {
      const namespace = process.env.HEADROOM_KUBEVIRT_NAMESPACE;
      if (!namespace) throw new Error('set HEADROOM_KUBEVIRT_NAMESPACE to the namespace VMs may be created in');
      const common = {
        namespace,
        maxInstances: 5,
        cores: 1,
        memoryMb: 1024,
        diskSizeGb: 10,
        schedulingTimeoutSeconds: 120,
        ...(process.env.HEADROOM_KUBEVIRT_STORAGE_CLASS
          ? { storageClassName: process.env.HEADROOM_KUBEVIRT_STORAGE_CLASS }
          : {}),
        ...(process.env.HEADROOM_KUBEVIRT_NETWORK
          ? { networkType: 'multus' as const, networkName: process.env.HEADROOM_KUBEVIRT_NETWORK }
          : {}),
      };
      const provider =
        process.env.HEADROOM_KUBEVIRT_FLAVOUR === 'harvester'
          ? createHarvesterProvider({ ...common, diskImage: process.env.HEADROOM_KUBEVIRT_DISK_IMAGE as string })
          : createKubevirtProvider({
              ...common,
              diskSourcePvc: process.env.HEADROOM_KUBEVIRT_DISK_SOURCE_PVC as string,
            });
      return { provider, shape: { cores: 1, memoryMb: 1024, gpus: 0 }, missingInstanceId: 'headroom-missing-vm' };
    },
  });
});
