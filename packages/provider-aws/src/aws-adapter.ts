import type { ProviderAdapterV1 } from '@headroom/core/provider';
import type { z } from 'zod';
import { createAwsDnsProvider } from './aws-dns-provider.js';
import { createAwsProvider } from './aws-provider.js';
import { awsDnsProviderSettingsSchema, awsProviderSettingsSchema } from './aws-provider-settings.js';

/** The `aws` adapter: EC2 instances and Route 53 records. */
export const adapter = {
  specificationVersion: 'v1',
  type: 'aws',
  settingsSchema: awsProviderSettingsSchema,
  createProvider: ({ settings }) => createAwsProvider(settings),
  dnsSettingsSchema: awsDnsProviderSettingsSchema,
  createDnsProvider: ({ settings }) => createAwsDnsProvider(settings),
} satisfies ProviderAdapterV1<
  z.output<typeof awsProviderSettingsSchema>,
  z.output<typeof awsDnsProviderSettingsSchema>
>;
