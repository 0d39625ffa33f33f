/** One access rule of a Keystone application credential. */
export interface OpenstackAccessRule {
  service: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
}

/**
 * The least an application credential needs for this adapter (the seed's list): servers, flavors,
 * boot volumes and the image check. Create the credential with exactly these rules, e.g.
 * `openstack application credential create headroom --access-rules "$(cat access-rules.json)"`.
 * The volume rules are only used with `createVolume`.
 */
export const OPENSTACK_ACCESS_RULES: readonly OpenstackAccessRule[] = [
  { service: 'volumev3', method: 'POST', path: '/v3/*/volumes' },
  { service: 'volumev3', method: 'DELETE', path: '/v3/*/volumes/*' },
  { service: 'volumev3', method: 'GET', path: '/v3/*/volumes' },
  { service: 'volumev3', method: 'GET', path: '/v3/*/volumes/*' },
  { service: 'volumev3', method: 'GET', path: '/v3/*/volumes/detail' },
  { service: 'compute', method: 'GET', path: '/v2.1/servers/detail' },
  { service: 'compute', method: 'GET', path: '/v2.1/servers' },
  { service: 'compute', method: 'GET', path: '/v2.1/flavors' },
  { service: 'compute', method: 'GET', path: '/v2.1/flavors/*' },
  { service: 'compute', method: 'GET', path: '/v2.1/servers/*/os-volume_attachments' },
  { service: 'compute', method: 'GET', path: '/v2.1/servers/*' },
  { service: 'compute', method: 'GET', path: '/v2.1/servers/*/os-interface' },
  { service: 'compute', method: 'POST', path: '/v2.1/servers' },
  { service: 'compute', method: 'DELETE', path: '/v2.1/servers/*' },
  { service: 'image', method: 'GET', path: '/v2/images/*' },
  { service: 'image', method: 'GET', path: '/v2/schemas/image' },
];
