export { adapter } from './oci-adapter.js';
export type { OciClients, OciComputeClient, OciDnsClient, OciIdentityClient, OciNetworkClient } from './oci-client.js';
export { convertOciConfigOverride, OCI_MODEL_NAME_KEY } from './oci-config-override.js';
export { createOciDnsProvider, type OciDnsProvider } from './oci-dns-provider.js';
export { createOciProvider, type OciProvider, ociRetryToken } from './oci-provider.js';
export {
  type OciDnsProviderSettings,
  type OciProviderSettings,
  ociDnsProviderSettingsSchema,
  ociProviderSettingsSchema,
} from './oci-provider-settings.js';

export const VERSION = '0.1.0';
