export { adapter, adapters, harvesterAdapter } from './kubevirt-adapter.js';
export type { KubevirtClient, KubevirtResource } from './kubevirt-client.js';
export { createClientNodeKubevirtClient } from './kubevirt-client.js';
export {
  createHarvesterProvider,
  createKubevirtProvider,
  type KubevirtProvider,
  type KubevirtProviderRuntime,
} from './kubevirt-provider.js';
export {
  type HarvesterProviderSettings,
  harvesterProviderSettingsSchema,
  type KubevirtProviderSettings,
  kubevirtProviderSettingsSchema,
} from './kubevirt-provider-settings.js';

export const VERSION = '0.1.0';
