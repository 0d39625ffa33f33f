import type { ProviderAdapterV1 } from '@headroom/core/provider';
import type { z } from 'zod';
import { createOciDnsProvider } from './oci-dns-provider.js';
import { createOciProvider } from './oci-provider.js';
import { ociDnsProviderSettingsSchema, ociProviderSettingsSchema } from './oci-provider-settings.js';

/** The `oci` adapter: OCI Compute instances and OCI DNS records. */
export const adapter = {
  specificationVersion: 'v1',
  type: 'oci',
  settingsSchema: ociProviderSettingsSchema,
  createProvider: ({ settings, context }) =>
    createOciProvider({
      ...settings,
      ...(context.configDirectory ? { configDirectory: context.configDirectory } : {}),
    }),
  dnsSettingsSchema: ociDnsProviderSettingsSchema,
  createDnsProvider: ({ settings, context }) =>
    createOciDnsProvider({
      ...settings,
      ...(context.configDirectory ? { configDirectory: context.configDirectory } : {}),
    }),
} satisfies ProviderAdapterV1<
  z.output<typeof ociProviderSettingsSchema>,
  z.output<typeof ociDnsProviderSettingsSchema>
>;
