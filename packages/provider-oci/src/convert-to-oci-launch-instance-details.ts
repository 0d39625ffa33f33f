import { InvalidProviderConfigError, mergeCustomTags } from '@headroom/core/provider';
import type { models } from 'oci-core';
import { convertOciConfigOverride } from './oci-config-override.js';
import { OCI_PROVIDER_ID } from './oci-error.js';
import { OCI_BASELINE_UTILIZATION, type OciProviderParsedSettings } from './oci-provider-settings.js';

/** Largest combined `metadata` OCI accepts. */
export const OCI_MAX_METADATA_BYTES = 32_000;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Objects merge member by member; arrays and values replace. */
export function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

function buildShapeConfig(settings: OciProviderParsedSettings): models.LaunchInstanceShapeConfigDetails | undefined {
  const config: models.LaunchInstanceShapeConfigDetails = {};
  if (settings.flexOcpus !== undefined) config.ocpus = settings.flexOcpus;
  if (settings.flexMemoryGb !== undefined) config.memoryInGBs = settings.flexMemoryGb;
  if (settings.burstableBaselinePercent !== undefined) {
    config.baselineOcpuUtilization = OCI_BASELINE_UTILIZATION[
      settings.burstableBaselinePercent
    ] as models.LaunchInstanceShapeConfigDetails.BaselineOcpuUtilization;
  }
  return Object.keys(config).length > 0 ? config : undefined;
}

/**
 * Builds the `LaunchInstanceDetails` of one launch. Precedence, lowest first: the settings, then
 * `configOverride` (deep-merged), then what Headroom always sets: compartment, availability
 * domain, display name, the freeform tags (custom tags, then the `headroom-*` tags) on the
 * instance and its VNIC, and the user data.
 */
export function convertToOciLaunchInstanceDetails(options: {
  settings: OciProviderParsedSettings;
  name: string;
  availabilityDomain: string;
  tags: Readonly<Record<string, string>>;
  startupScript: string | undefined;
}): models.LaunchInstanceDetails {
  const { settings, startupScript } = options;
  const { tags: freeformTags } = mergeCustomTags({ managedTags: options.tags, customTags: settings.customTags });
  const metadata: Record<string, string> = {};
  if (settings.sshPublicKey !== undefined) metadata.ssh_authorized_keys = settings.sshPublicKey;
  if (startupScript !== undefined && startupScript !== '') {
    metadata.user_data = Buffer.from(startupScript, 'utf8').toString('base64');
  }
  const shapeConfig = buildShapeConfig(settings);
  const defaults: models.LaunchInstanceDetails = {
    compartmentId: settings.compartmentOcid,
    availabilityDomain: options.availabilityDomain,
    displayName: options.name,
    shape: settings.shape,
    ...(shapeConfig ? { shapeConfig } : {}),
    sourceDetails: {
      sourceType: 'image',
      imageId: settings.imageOcid,
      ...(settings.bootVolumeSizeGb === undefined ? {} : { bootVolumeSizeInGBs: settings.bootVolumeSizeGb }),
      ...(settings.bootVolumeVpusPerGb === undefined ? {} : { bootVolumeVpusPerGB: settings.bootVolumeVpusPerGb }),
    } as models.InstanceSourceViaImageDetails,
    createVnicDetails: {
      subnetId: settings.subnetOcid,
      ...(settings.networkSecurityGroupOcids.length > 0 ? { nsgIds: settings.networkSecurityGroupOcids } : {}),
      ...(settings.assignPublicIp === undefined ? {} : { assignPublicIp: settings.assignPublicIp }),
    },
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
  const override = settings.configOverride
    ? convertOciConfigOverride(settings.configOverride).launchInstanceDetails
    : {};
  const merged = deepMerge(defaults as unknown as Record<string, unknown>, override);
  const overrideVnic = isPlainObject(merged.createVnicDetails) ? merged.createVnicDetails : {};
  const overrideTags = isPlainObject(merged.freeformTags) ? (merged.freeformTags as Record<string, string>) : {};
  const mergedMetadata = {
    ...(isPlainObject(merged.metadata) ? (merged.metadata as Record<string, string>) : {}),
    ...(metadata.user_data === undefined ? {} : { user_data: metadata.user_data }),
  };
  const metadataBytes = Buffer.byteLength(JSON.stringify(mergedMetadata), 'utf8');
  if (metadataBytes > OCI_MAX_METADATA_BYTES) {
    throw new InvalidProviderConfigError({
      providerId: OCI_PROVIDER_ID,
      field: 'startupScript',
      message: `instance metadata (SSH key and base64 user data) is ${metadataBytes} bytes; OCI accepts at most ${OCI_MAX_METADATA_BYTES}`,
    });
  }
  const instanceTags = { ...overrideTags, ...freeformTags };
  return {
    ...(merged as unknown as models.LaunchInstanceDetails),
    compartmentId: settings.compartmentOcid,
    availabilityDomain: options.availabilityDomain,
    displayName: options.name,
    freeformTags: instanceTags,
    createVnicDetails: { ...overrideVnic, freeformTags: instanceTags } as models.CreateVnicDetails,
    ...(Object.keys(mergedMetadata).length > 0 ? { metadata: mergedMetadata } : {}),
  };
}
