export type { OpenstackInstance } from './map-openstack-server.js';
export { OPENSTACK_ACCESS_RULES, type OpenstackAccessRule } from './openstack-access-rules.js';
export { adapter } from './openstack-adapter.js';
export { type OpenstackFetch, OpenstackHttpError } from './openstack-http.js';
export { createOpenstackProvider, type OpenstackProvider } from './openstack-provider.js';
export {
  DEFAULT_NOVA_MICROVERSION,
  MIN_NOVA_MICROVERSION,
  NOVA_SERVER_REQUEST_MEMBERS,
  type OpenstackProviderSettings,
  openstackProviderSettingsSchema,
} from './openstack-provider-settings.js';

export const VERSION = '0.1.0';
