export { adapter } from './gcp-adapter.js';
export type {
  GcpAuthClient,
  GcpCallOptions,
  GcpComputeClient,
  GcpDnsClient,
  GcpDnsRecordSet,
  GcpManagedZone,
} from './gcp-client.js';
export { createGcpDnsProvider, type GcpDnsProvider } from './gcp-dns-provider.js';
export { decodeGcpLabels, encodeGcpLabels } from './gcp-labels.js';
export { createGcpProvider, type GcpProvider } from './gcp-provider.js';
export {
  type GcpDnsProviderSettings,
  type GcpProviderSettings,
  type GcpSecretSetting,
  gcpDnsProviderSettingsSchema,
  gcpProviderSettingsSchema,
} from './gcp-provider-settings.js';

export const VERSION = '0.1.0';
