export { adapter } from './vsphere-adapter.js';
export { createVsphereProvider, VSPHERE_EXTRA_CONFIG_KEYS, type VsphereProvider } from './vsphere-provider.js';
export {
  type VsphereProviderSettings,
  type VsphereSecret,
  vsphereProviderSettingsSchema,
} from './vsphere-provider-settings.js';

export const VERSION = '0.1.0';
