import type { ProviderInstance, ProviderInstanceState, Resources } from '@headroom/core/provider';
import { readTags } from './kubevirt-labels.js';
import type { KubernetesCondition, VirtualMachine, VirtualMachineInstance } from './kubevirt-objects.js';

/** Annotation holding the name Headroom asked for (the VM name may be a DNS-safe form of it). */
export const NAME_ANNOTATION = 'headroom-name';

const failedStatuses = new Set([
  'ErrorUnschedulable',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrorPvcNotFound',
  'ErrorDataVolumeNotFound',
  'DataVolumeError',
  'CrashLoopBackOff',
  'Unknown',
]);
const stoppingStatuses = new Set(['Stopping', 'Terminating', 'Stopped', 'Paused']);

/** VM (and VMI) → the contract's state. A VM being deleted is `stopping`; error statuses are `failed`. */
export function mapKubevirtState(options: {
  virtualMachine: VirtualMachine;
  instance?: VirtualMachineInstance | undefined;
}): ProviderInstanceState {
  const { virtualMachine, instance } = options;
  if (virtualMachine.metadata.deletionTimestamp) return 'stopping';
  const printableStatus = virtualMachine.status?.printableStatus;
  if (printableStatus !== undefined && failedStatuses.has(printableStatus)) return 'failed';
  if (printableStatus !== undefined && stoppingStatuses.has(printableStatus)) return 'stopping';
  const phase = instance?.metadata.deletionTimestamp ? 'Succeeded' : instance?.status?.phase;
  if (phase === 'Failed') return 'failed';
  if (phase === 'Succeeded') return 'stopping';
  if (phase === 'Running' || printableStatus === 'Running' || printableStatus === 'Migrating') return 'running';
  return 'pending';
}

const quantityUnits: Record<string, number> = {
  '': 1,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1000,
  K: 1000,
  M: 1000 ** 2,
  G: 1000 ** 3,
  T: 1000 ** 4,
};

/** A Kubernetes memory quantity (`4Gi`, `4096Mi`, `4G`) in MiB, rounded down; undefined when unreadable. */
export function parseMemoryQuantityMb(quantity: string | undefined): number | undefined {
  const match = quantity?.match(/^(\d+(?:\.\d+)?)([KMGT]i?|k)?$/);
  if (!match) return undefined;
  const factor = quantityUnits[match[2] ?? ''];
  if (factor === undefined) return undefined;
  return Math.floor((Number(match[1]) * factor) / 1024 ** 2);
}

/** The shape a VM was defined with: cores × sockets, guest memory, GPU devices. */
export function mapKubevirtShape(virtualMachine: VirtualMachine): Resources | undefined {
  const domain = virtualMachine.spec?.template?.spec?.domain;
  if (!domain) return undefined;
  const cores = (domain.cpu?.cores ?? 1) * (domain.cpu?.sockets ?? 1);
  const memoryMb = parseMemoryQuantityMb(domain.memory?.guest ?? domain.resources?.requests?.memory) ?? 0;
  return { cores, memoryMb, gpus: domain.devices?.gpus?.length ?? 0 };
}

/** The VMI's first reported address (IPv4 preferred) of its interfaces. */
export function readInstanceAddress(instance: VirtualMachineInstance | undefined): string | undefined {
  const addresses = (instance?.status?.interfaces ?? []).flatMap((networkInterface) => [
    ...(networkInterface.ipAddress ? [networkInterface.ipAddress] : []),
    ...(networkInterface.ipAddresses ?? []),
  ]);
  return addresses.find((address) => !address.includes(':')) ?? addresses[0];
}

/** A VM and its VMI as the contract's instance. */
export function mapKubevirtInstance(options: {
  virtualMachine: VirtualMachine;
  instance?: VirtualMachineInstance | undefined;
}): ProviderInstance {
  const { virtualMachine, instance } = options;
  const { metadata } = virtualMachine;
  const mapped: ProviderInstance = {
    instanceId: metadata.name,
    name: metadata.annotations?.[NAME_ANNOTATION] ?? metadata.name,
    state: mapKubevirtState(options),
    tags: readTags(metadata),
  };
  const shape = mapKubevirtShape(virtualMachine);
  if (shape) mapped.shape = shape;
  const address = readInstanceAddress(instance);
  if (address) mapped.privateAddress = address;
  if (metadata.creationTimestamp && !Number.isNaN(Date.parse(metadata.creationTimestamp))) {
    mapped.createdAt = new Date(Date.parse(metadata.creationTimestamp)).toISOString();
  }
  return mapped;
}

/** What the first seconds of a new VM say. */
export type SchedulingVerdict =
  | { kind: 'scheduled' }
  | { kind: 'waiting' }
  | { kind: 'unschedulable'; message: string }
  | { kind: 'quota'; message: string }
  | { kind: 'invalid'; field: 'disk' | 'manifest'; message: string };

const describeCondition = (condition: KubernetesCondition) =>
  `${condition.type}=${condition.status}${condition.reason ? ` (${condition.reason})` : ''}${condition.message ? `: ${condition.message}` : ''}`;

/**
 * Reads a new VM's status: scheduled (VMI `Scheduled`/`Running`), unschedulable (`ErrorUnschedulable`,
 * or `PodScheduled=False` with reason `Unschedulable`), refused by a ResourceQuota (a condition
 * saying `exceeded quota`), a disk or image that cannot be had, or still waiting.
 */
export function judgeScheduling(options: {
  virtualMachine: VirtualMachine;
  instance?: VirtualMachineInstance | undefined;
}): SchedulingVerdict {
  const { virtualMachine, instance } = options;
  const conditions = [...(virtualMachine.status?.conditions ?? []), ...(instance?.status?.conditions ?? [])];
  const quota = conditions.find((condition) => /exceeded quota/i.test(condition.message ?? ''));
  if (quota) return { kind: 'quota', message: describeCondition(quota) };
  const printableStatus = virtualMachine.status?.printableStatus;
  const unschedulable = conditions.find(
    (condition) =>
      condition.type === 'PodScheduled' && condition.status === 'False' && condition.reason === 'Unschedulable',
  );
  if (unschedulable || printableStatus === 'ErrorUnschedulable') {
    return {
      kind: 'unschedulable',
      message: unschedulable ? describeCondition(unschedulable) : 'the VM is ErrorUnschedulable',
    };
  }
  if (
    printableStatus === 'ErrorPvcNotFound' ||
    printableStatus === 'ErrorDataVolumeNotFound' ||
    printableStatus === 'DataVolumeError'
  ) {
    return { kind: 'invalid', field: 'disk', message: `the VM is ${printableStatus}` };
  }
  if (printableStatus === 'ErrImagePull' || printableStatus === 'ImagePullBackOff') {
    return { kind: 'invalid', field: 'manifest', message: `the VM is ${printableStatus}` };
  }
  const phase = instance?.status?.phase;
  if (phase === 'Scheduled' || phase === 'Running' || printableStatus === 'Running') return { kind: 'scheduled' };
  return { kind: 'waiting' };
}
