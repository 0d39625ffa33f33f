import type { ProviderInstance, ProviderInstanceState } from '@headroom/core/provider';
import type { models } from 'oci-core';

/** Lifecycle states that are gone for Headroom: never listed. */
export const OCI_GONE_STATES: ReadonlySet<string> = new Set(['TERMINATED']);

function mapState(state: string | undefined): ProviderInstanceState {
  switch (state) {
    case 'PROVISIONING':
    case 'STARTING':
    case 'MOVING':
    case 'CREATING_IMAGE':
      return 'pending';
    case 'RUNNING':
      return 'running';
    case 'STOPPING':
    case 'STOPPED':
    case 'TERMINATING':
      return 'stopping';
    default:
      return 'failed';
  }
}

/**
 * Maps an OCI instance to the provider contract's instance: freeform tags are the tags; the shape
 * is vCPUs (2 per x86 OCPU when the API gives no vCPU count), memory and GPUs of `shapeConfig`.
 */
export function mapOciInstance(options: {
  instance: models.Instance;
  addresses?: { privateAddress?: string | undefined; publicAddress?: string | undefined } | undefined;
}): ProviderInstance {
  const { instance } = options;
  const mapped: ProviderInstance = {
    instanceId: instance.id,
    name: instance.displayName ?? instance.id,
    state: mapState(instance.lifecycleState),
    tags: { ...(instance.freeformTags ?? {}) },
  };
  const config = instance.shapeConfig;
  if (config?.ocpus !== undefined && config.memoryInGBs !== undefined) {
    mapped.shape = {
      cores: config.vcpus ?? Math.round(config.ocpus * 2),
      memoryMb: Math.round(config.memoryInGBs * 1024),
      gpus: config.gpus ?? 0,
    };
  }
  if (options.addresses?.privateAddress) mapped.privateAddress = options.addresses.privateAddress;
  if (options.addresses?.publicAddress) mapped.publicAddress = options.addresses.publicAddress;
  const created = instance.timeCreated ? new Date(instance.timeCreated) : undefined;
  if (created && !Number.isNaN(created.getTime())) mapped.createdAt = created.toISOString();
  return mapped;
}
