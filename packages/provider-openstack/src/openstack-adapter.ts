import type { ProviderAdapterV1 } from '@headroom/core/provider';
import type { z } from 'zod';
import { createOpenstackProvider } from './openstack-provider.js';
import { openstackProviderSettingsSchema } from './openstack-provider-settings.js';

/** The `openstack` adapter: Nova servers (boot volumes through Cinder), authenticated by Keystone v3. */
export const adapter = {
  specificationVersion: 'v1',
  type: 'openstack',
  settingsSchema: openstackProviderSettingsSchema,
  createProvider: ({ settings, context }) =>
    createOpenstackProvider({
      ...settings,
      ...(context.clock ? { clock: context.clock } : {}),
      ...(context.timers ? { timers: context.timers } : {}),
      ...(context.configDirectory ? { configDirectory: context.configDirectory } : {}),
    }),
} satisfies ProviderAdapterV1<z.output<typeof openstackProviderSettingsSchema>>;
