import type { Instance as AwsInstance, InstanceTypeInfo } from '@aws-sdk/client-ec2';
import type { ProviderInstance, ProviderInstanceState, Resources } from '@headroom/core/provider';

/** EC2 states that count as gone: they are never listed. */
export const AWS_GONE_STATES: ReadonlySet<string> = new Set(['shutting-down', 'terminated']);

/** EC2 states `listInstances` asks for. */
export const AWS_LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'] as const;

/**
 * EC2 state → provider state. `stopped` is reported as `stopping`: powered down, not serving,
 * but still there (and still counted against `maxInstances`).
 */
function mapState(stateName: string | undefined): ProviderInstanceState {
  switch (stateName) {
    case 'pending':
      return 'pending';
    case 'running':
      return 'running';
    case 'stopping':
    case 'stopped':
      return 'stopping';
    default:
      return 'failed';
  }
}

/** Whether an EC2 instance is gone (shutting down or terminated). */
export function isAwsInstanceGone(instance: AwsInstance): boolean {
  return AWS_GONE_STATES.has(instance.State?.Name ?? '');
}

/** Maps an EC2 instance to the provider contract's instance. */
export function mapAwsInstance(options: { instance: AwsInstance; shape: Resources | undefined }): ProviderInstance {
  const { instance } = options;
  const tags: Record<string, string> = {};
  for (const tag of instance.Tags ?? []) {
    if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  }
  const instanceId = instance.InstanceId ?? '';
  const mapped: ProviderInstance = {
    instanceId,
    name: tags.Name ?? instanceId,
    state: mapState(instance.State?.Name),
    tags,
  };
  if (options.shape !== undefined) mapped.shape = options.shape;
  if (instance.PrivateIpAddress) mapped.privateAddress = instance.PrivateIpAddress;
  if (instance.PublicIpAddress) mapped.publicAddress = instance.PublicIpAddress;
  if (instance.LaunchTime instanceof Date && !Number.isNaN(instance.LaunchTime.getTime())) {
    mapped.createdAt = instance.LaunchTime.toISOString();
  }
  return mapped;
}

/** The hardware of an instance type: default vCPUs, memory in MiB and GPU count. */
export function mapAwsInstanceTypeShape(info: InstanceTypeInfo): Resources {
  return {
    cores: info.VCpuInfo?.DefaultVCpus ?? 0,
    memoryMb: info.MemoryInfo?.SizeInMiB ?? 0,
    gpus: (info.GpuInfo?.Gpus ?? []).reduce((total, gpu) => total + (gpu.Count ?? 0), 0),
  };
}
