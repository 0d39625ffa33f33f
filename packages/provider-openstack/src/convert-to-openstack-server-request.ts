import { InvalidProviderConfigError } from '@headroom/core/provider';
import { OPENSTACK_PROVIDER_ID } from './openstack-error.js';
import type { OpenstackProviderParsedSettings } from './openstack-provider-settings.js';

/** Nova's limit on base64 user data. */
export const MAX_USER_DATA_BYTES = 65_535;

export interface ConvertToOpenstackServerRequestOptions {
  settings: OpenstackProviderParsedSettings;
  name: string;
  /** Server metadata, Headroom's `headroom-*` keys included. */
  metadata: Record<string, string>;
  flavorId: string;
  startupScript?: string | undefined;
  /** Boot volume created through Cinder, when `createVolume` is on. */
  bootVolumeId?: string | undefined;
}

function networks(networkId: string): unknown {
  if (networkId === 'auto' || networkId === 'none') return networkId;
  return [{ uuid: networkId }];
}

/**
 * Builds Nova's `POST /servers` body. Precedence, lowest first: the settings, `configOverride`,
 * then `name`, the metadata keys and one server per request.
 * @throws InvalidProviderConfigError when the startup script is larger than Nova accepts.
 */
export function convertToOpenstackServerRequest(
  options: ConvertToOpenstackServerRequestOptions,
): Record<string, unknown> {
  const { settings } = options;
  const server: Record<string, unknown> = {
    flavorRef: options.flavorId,
    networks: networks(settings.networkId),
  };
  if (options.bootVolumeId) {
    server.block_device_mapping_v2 = [
      {
        boot_index: 0,
        uuid: options.bootVolumeId,
        source_type: 'volume',
        destination_type: 'volume',
        delete_on_termination: true,
      },
    ];
  } else {
    server.imageRef = settings.imageId;
  }
  if (settings.securityGroups.length > 0) server.security_groups = settings.securityGroups.map((name) => ({ name }));
  if (settings.keyName) server.key_name = settings.keyName;
  if (settings.availabilityZone) server.availability_zone = settings.availabilityZone;
  if (settings.configDrive) server.config_drive = true;
  const script = options.startupScript ?? settings.startupScript;
  if (script !== undefined && script !== '') {
    const userData = Buffer.from(script, 'utf8').toString('base64');
    if (userData.length > MAX_USER_DATA_BYTES) {
      throw new InvalidProviderConfigError({
        providerId: OPENSTACK_PROVIDER_ID,
        field: 'startupScript',
        message: `the startup script is ${userData.length} bytes once base64-encoded; Nova accepts at most ${MAX_USER_DATA_BYTES}`,
      });
    }
    server.user_data = userData;
  }
  const {
    'os:scheduler_hints': schedulerHints,
    metadata: overrideMetadata,
    ...override
  } = settings.configOverride ?? {};
  Object.assign(server, override);
  server.name = options.name;
  server.metadata = { ...(overrideMetadata as Record<string, string> | undefined), ...options.metadata };
  server.min_count = 1;
  server.max_count = 1;
  return { server, ...(schedulerHints === undefined ? {} : { 'os:scheduler_hints': schedulerHints }) };
}
