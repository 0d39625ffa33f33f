import type { ProviderInstance, ProviderInstanceState, Resources } from '@headroom/core/provider';
import type { GcpInstance, GcpMachineType } from './gcp-client.js';
import { decodeGcpLabels, GCP_TAGS_METADATA_KEY } from './gcp-labels.js';

/**
 * Compute Engine status → provider state. STOPPING is also what a deleted instance shows until it
 * is gone. TERMINATED (stopped) and SUSPENDED instances still exist and still cost their disks:
 * they are `failed`, so that the reconciler replaces and destroys them.
 */
function mapState(status: string | null | undefined): ProviderInstanceState {
  switch (status) {
    case 'PROVISIONING':
    case 'STAGING':
    case 'REPAIRING':
      return 'pending';
    case 'RUNNING':
      return 'running';
    case 'STOPPING':
    case 'SUSPENDING':
      return 'stopping';
    default:
      return 'failed';
  }
}

/** The instance id Headroom uses: `<zone>/<name>` (names are unique per zone and project). */
export function formatGcpInstanceId(zone: string, name: string): string {
  return `${zone}/${name}`;
}

/** Zone and name of an instance id; a bare name is in `defaultZone`. */
export function parseGcpInstanceId(instanceId: string, defaultZone: string): { zone: string; name: string } {
  const separator = instanceId.lastIndexOf('/');
  if (separator < 0) return { zone: defaultZone, name: instanceId };
  return { zone: instanceId.slice(0, separator).replace(/^.*zones\//, ''), name: instanceId.slice(separator + 1) };
}

/** The last segment of a resource URL (`…/zones/us-east4-b` → `us-east4-b`). */
export function lastPathSegment(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  return url.slice(url.lastIndexOf('/') + 1) || undefined;
}

/** CPUs, memory and GPUs of a machine type (plus the instance's accelerators). */
export function mapGcpMachineTypeShape(machineType: GcpMachineType, instance?: GcpInstance): Resources {
  const bundledGpus = (machineType.accelerators ?? []).reduce(
    (sum, accelerator) => sum + (accelerator.guestAcceleratorCount ?? 0),
    0,
  );
  const attachedGpus = (instance?.guestAccelerators ?? []).reduce(
    (sum, accelerator) => sum + (accelerator.acceleratorCount ?? 0),
    0,
  );
  return {
    cores: machineType.guestCpus ?? 0,
    memoryMb: machineType.memoryMb ?? 0,
    gpus: bundledGpus + attachedGpus,
  };
}

/** Maps a Compute Engine instance to the provider contract's instance. */
export function mapGcpInstance(options: {
  instance: GcpInstance;
  zone: string;
  shape: Resources | undefined;
}): ProviderInstance {
  const { instance, zone, shape } = options;
  const name = instance.name ?? '';
  const hashedTagsJson = instance.metadata?.items?.find((item) => item.key === GCP_TAGS_METADATA_KEY)?.value;
  const networkInterface = instance.networkInterfaces?.[0];
  const publicAddress = networkInterface?.accessConfigs?.find((config) => config.natIP)?.natIP;
  const createdAtMs = instance.creationTimestamp ? Date.parse(instance.creationTimestamp) : Number.NaN;
  return {
    instanceId: formatGcpInstanceId(zone, name),
    name,
    state: mapState(instance.status),
    tags: decodeGcpLabels({ labels: instance.labels, hashedTagsJson }),
    ...(shape ? { shape } : {}),
    ...(networkInterface?.networkIP ? { privateAddress: networkInterface.networkIP } : {}),
    ...(publicAddress ? { publicAddress } : {}),
    ...(Number.isNaN(createdAtMs) ? {} : { createdAt: new Date(createdAtMs).toISOString() }),
  };
}
