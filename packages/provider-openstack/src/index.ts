export { type OpenstackFetch, OpenstackHttpError } from './openstack-http.js';
export type { OpenstackInstance } from './map-openstack-server.js';
export { type OpenstackAccessRule, OPENSTACK_ACCESS_RULES } from './openstack-access-rules.js';
export { adapter } from './openstack-adapter.js';
export { createOpenstackProvider, type OpenstackProvider } from './openstack-provider.js';
export {
  DEFAULT_NOVA_MICROVERSION,
  MIN_NOVA_MICROVERSION,
  NOVA_SERVER_REQUEST_MEMBERS,
  type OpenstackProviderSettings,
  openstackProviderSettingsSchema,
} from './openstack-provider-settings.js';

export const VERSION = '0.1.0';
