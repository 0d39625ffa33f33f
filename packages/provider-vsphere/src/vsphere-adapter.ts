import type { ProviderAdapterV1 } from '@headroom/core/provider';
import type { z } from 'zod';
import { createVsphereProvider } from './vsphere-provider.js';
import { vsphereProviderSettingsSchema } from './vsphere-provider-settings.js';

/** The `vsphere` adapter: VMs cloned from a template in vCenter (vSphere has no DNS of its own). */
export const adapter = {
  specificationVersion: 'v1',
  type: 'vsphere',
  settingsSchema: vsphereProviderSettingsSchema,
  createProvider: ({ settings }) => createVsphereProvider(settings),
} satisfies ProviderAdapterV1<z.output<typeof vsphereProviderSettingsSchema>>;
