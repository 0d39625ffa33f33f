export { adapter } from './do-adapter.js';
export type { DoApiClient, DoApiClientOptions, DoFetch } from './do-client.js';
export { createDoApiClient } from './do-client.js';
export { createDoDnsProvider, type DoDnsProvider } from './do-dns-provider.js';
export { createDoProvider, type DoProvider } from './do-provider.js';
export {
  type DoDnsProviderSettings,
  type DoProviderSettings,
  doDnsProviderSettingsSchema,
  doProviderSettingsSchema,
} from './do-provider-settings.js';
export { decodeDoTag, encodeDoTag } from './do-tags.js';

export const VERSION = '0.1.0';
