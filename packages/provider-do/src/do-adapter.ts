import type { ProviderAdapterV1 } from '@headroom/core/provider';
import type { z } from 'zod';
import { createDoDnsProvider } from './do-dns-provider.js';
import { createDoProvider } from './do-provider.js';
import { doDnsProviderSettingsSchema, doProviderSettingsSchema } from './do-provider-settings.js';

/** The `digitalocean` adapter: droplets and DigitalOcean DNS. */
export const adapter = {
  specificationVersion: 'v1',
  type: 'digitalocean',
  settingsSchema: doProviderSettingsSchema,
  createProvider: ({ settings, context }) =>
    createDoProvider({
      ...settings,
      ...(context.clock ? { clock: context.clock } : {}),
      ...(context.timers ? { timers: context.timers } : {}),
      ...(context.configDirectory ? { configDirectory: context.configDirectory } : {}),
    }),
  dnsSettingsSchema: doDnsProviderSettingsSchema,
  createDnsProvider: ({ settings, context }) =>
    createDoDnsProvider({
      ...settings,
      ...(context.clock ? { clock: context.clock } : {}),
      ...(context.timers ? { timers: context.timers } : {}),
      ...(context.configDirectory ? { configDirectory: context.configDirectory } : {}),
    }),
} satisfies ProviderAdapterV1<z.output<typeof doProviderSettingsSchema>, z.output<typeof doDnsProviderSettingsSchema>>;
