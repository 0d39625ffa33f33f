import { InvalidProviderConfigError } from '@headroom/core/provider';
import { DO_PROVIDER_ID } from './do-error.js';
import type { DoProviderParsedSettings } from './do-provider-settings.js';
import { encodeDoTag } from './do-tags.js';

/** Largest user data DigitalOcean accepts. */
export const DO_MAX_USER_DATA_BYTES = 64 * 1024;

/** The body of `POST /v2/droplets` (one droplet). */
export interface DoCreateDropletRequest {
  name: string;
  region: string;
  size: string;
  image: string | number;
  ssh_keys: Array<string | number>;
  backups: false;
  ipv6: boolean;
  monitoring: boolean;
  tags: string[];
  user_data?: string;
  vpc_uuid?: string;
}

/** Every tag of a droplet: Headroom's pairs encoded (`encodeDoTag`), then the configured plain tags. */
export function buildDoDropletTags(options: {
  tags: Readonly<Record<string, string>>;
  extraTags: readonly string[];
}): string[] {
  const encoded = Object.entries(options.tags).map(([key, value]) => encodeDoTag(key, value));
  for (const tag of encoded) {
    if (tag.length > 255) {
      throw new InvalidProviderConfigError({
        providerId: DO_PROVIDER_ID,
        field: 'tags',
        message: `tag ${tag.slice(0, 40)}… is longer than DigitalOcean's 255 characters`,
      });
    }
  }
  return [...new Set([...encoded, ...options.extraTags])];
}

/**
 * Builds the create-droplet request from the settings. `sshKeys` are the resolved ids or
 * fingerprints (names already looked up).
 */
export function convertToDoDropletRequest(options: {
  settings: DoProviderParsedSettings;
  name: string;
  tags: Readonly<Record<string, string>>;
  sshKeys: Array<string | number>;
  startupScript: string | undefined;
}): DoCreateDropletRequest {
  const { settings, startupScript } = options;
  if (startupScript !== undefined && Buffer.byteLength(startupScript, 'utf8') > DO_MAX_USER_DATA_BYTES) {
    throw new InvalidProviderConfigError({
      providerId: DO_PROVIDER_ID,
      field: 'startupScript',
      message: `the startup script is ${Buffer.byteLength(startupScript, 'utf8')} bytes; DigitalOcean accepts at most 64 KiB of user data`,
    });
  }
  return {
    name: options.name,
    region: settings.region,
    size: settings.size,
    image: settings.image,
    ssh_keys: options.sshKeys,
    backups: false,
    ipv6: settings.ipv6,
    monitoring: settings.monitoring,
    tags: buildDoDropletTags({ tags: options.tags, extraTags: settings.tags }),
    ...(startupScript === undefined || startupScript === '' ? {} : { user_data: startupScript }),
    ...(settings.vpcUuid === undefined ? {} : { vpc_uuid: settings.vpcUuid }),
  };
}
