import type { ProviderAdapterV1 } from '@headroom/core/provider';
import type { z } from 'zod';
import { createAzureDnsProvider } from './azure-dns-provider.js';
import { createAzureProvider } from './azure-provider.js';
import { azureDnsProviderSettingsSchema, azureProviderSettingsSchema } from './azure-provider-settings.js';

/** The `azure` adapter: Azure virtual machines and Azure DNS records. */
export const adapter = {
  specificationVersion: 'v1',
  type: 'azure',
  settingsSchema: azureProviderSettingsSchema,
  createProvider: ({ settings, context }) =>
    createAzureProvider({ ...settings, ...(context.timers ? { timers: context.timers } : {}) }),
  dnsSettingsSchema: azureDnsProviderSettingsSchema,
  createDnsProvider: ({ settings }) => createAzureDnsProvider(settings),
} satisfies ProviderAdapterV1<
  z.output<typeof azureProviderSettingsSchema>,
  z.output<typeof azureDnsProviderSettingsSchema>
>;
