import type { ProviderAdapterV1 } from '@headroom/core/provider';
import type { z } from 'zod';
import { createGcpDnsProvider } from './gcp-dns-provider.js';
import { createGcpProvider } from './gcp-provider.js';
import { gcpDnsProviderSettingsSchema, gcpProviderSettingsSchema } from './gcp-provider-settings.js';

/** The `gcp` adapter: Compute Engine instances and Cloud DNS records. */
export const adapter = {
  specificationVersion: 'v1',
  type: 'gcp',
  settingsSchema: gcpProviderSettingsSchema,
  createProvider: ({ settings, context }) =>
    createGcpProvider({
      ...settings,
      ...(context.clock ? { clock: context.clock } : {}),
      ...(context.timers ? { timers: context.timers } : {}),
      ...(context.configDirectory ? { configDirectory: context.configDirectory } : {}),
    }),
  dnsSettingsSchema: gcpDnsProviderSettingsSchema,
  createDnsProvider: ({ settings, context }) =>
    createGcpDnsProvider({
      ...settings,
      ...(context.configDirectory ? { configDirectory: context.configDirectory } : {}),
    }),
} satisfies ProviderAdapterV1<
  z.output<typeof gcpProviderSettingsSchema>,
  z.output<typeof gcpDnsProviderSettingsSchema>
>;
