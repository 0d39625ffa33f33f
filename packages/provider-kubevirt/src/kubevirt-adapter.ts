import type { ProviderAdapterContextV1, ProviderAdapterV1 } from '@headroom/core/provider';
import type { z } from 'zod';
import { createHarvesterProvider, createKubevirtProvider, type KubevirtProviderRuntime } from './kubevirt-provider.js';
import { harvesterProviderSettingsSchema, kubevirtProviderSettingsSchema } from './kubevirt-provider-settings.js';

/** What the host's context gives the factories: the config folder for `{ file }` secrets, clock and timers. */
function fromContext(context: ProviderAdapterContextV1): {
  seams: { configDirectory?: string };
  runtime: KubevirtProviderRuntime;
} {
  return {
    seams: context.configDirectory ? { configDirectory: context.configDirectory } : {},
    runtime: { clock: context.clock, timers: context.timers },
  };
}

/** The `kubevirt` adapter: KubeVirt VirtualMachines on any Kubernetes cluster. */
export const adapter = {
  specificationVersion: 'v1',
  type: 'kubevirt',
  settingsSchema: kubevirtProviderSettingsSchema,
  createProvider: ({ settings, context }) => {
    const { seams, runtime } = fromContext(context);
    return createKubevirtProvider({ ...settings, ...seams }, runtime);
  },
} satisfies ProviderAdapterV1<z.output<typeof kubevirtProviderSettingsSchema>>;

/** The `harvester` adapter: KubeVirt on Harvester HCI (Harvester images and VM networks). */
export const harvesterAdapter = {
  specificationVersion: 'v1',
  type: 'harvester',
  settingsSchema: harvesterProviderSettingsSchema,
  createProvider: ({ settings, context }) => {
    const { seams, runtime } = fromContext(context);
    return createHarvesterProvider({ ...settings, ...seams }, runtime);
  },
} satisfies ProviderAdapterV1<z.output<typeof harvesterProviderSettingsSchema>>;

/** Both types this package serves (package.json `headroom.providerTypes`). */
export const adapters = [adapter, harvesterAdapter] as const;
