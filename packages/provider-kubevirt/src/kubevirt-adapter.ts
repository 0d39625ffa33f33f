import type { ProviderAdapterV1 } from '@headroom/core/provider';
import type { z } from 'zod';
import { createHarvesterProvider, createKubevirtProvider } from './kubevirt-provider.js';
import { harvesterProviderSettingsSchema, kubevirtProviderSettingsSchema } from './kubevirt-provider-settings.js';

/** The `kubevirt` adapter: KubeVirt VirtualMachines on any Kubernetes cluster. */
export const adapter = {
  specificationVersion: 'v1',
  type: 'kubevirt',
  settingsSchema: kubevirtProviderSettingsSchema,
  createProvider: ({ settings, context }) =>
    createKubevirtProvider(
      { ...settings, ...(context.configDirectory ? { configDirectory: context.configDirectory } : {}) },
      { clock: context.clock, timers: context.timers },
    ),
} satisfies ProviderAdapterV1<z.output<typeof kubevirtProviderSettingsSchema>>;

/** The `harvester` adapter: KubeVirt on Harvester HCI (Harvester images and VM networks). */
export const harvesterAdapter = {
  specificationVersion: 'v1',
  type: 'harvester',
  settingsSchema: harvesterProviderSettingsSchema,
  createProvider: ({ settings, context }) =>
    createHarvesterProvider(
      { ...settings, ...(context.configDirectory ? { configDirectory: context.configDirectory } : {}) },
      { clock: context.clock, timers: context.timers },
    ),
} satisfies ProviderAdapterV1<z.output<typeof harvesterProviderSettingsSchema>>;

/** Both types this package serves (package.json `headroom.providerTypes`). */
export const adapters = [adapter, harvesterAdapter] as const;
