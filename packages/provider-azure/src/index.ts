export { adapter } from './azure-adapter.js';
export type { AzureClients, AzureDnsClient } from './azure-client.js';
export { type AzureDnsProvider, createAzureDnsProvider } from './azure-dns-provider.js';
export { type AzureProvider, createAzureProvider } from './azure-provider.js';
export {
  AZURE_AUTHORITIES,
  type AzureAuthority,
  type AzureDnsProviderSettings,
  type AzureImageReference,
  type AzureProviderSettings,
  azureDnsProviderSettingsSchema,
  azureProviderSettingsSchema,
} from './azure-provider-settings.js';

export const VERSION = '0.1.0';
