import type { VirtualMachine } from '@azure/arm-compute';
import type { ProviderInstance, ProviderInstanceState, Resources } from '@headroom/core/provider';

/** VM provisioning state → provider state (the list call reports no power state). */
function mapState(provisioningState: string | undefined): ProviderInstanceState {
  switch (provisioningState?.toLowerCase()) {
    case undefined:
    case 'creating':
      return 'pending';
    case 'succeeded':
    case 'updating':
    case 'migrating':
      return 'running';
    case 'deleting':
      return 'stopping';
    default:
      return 'failed';
  }
}

/** Addresses of a VM, read from its NIC and public IP. */
export interface AzureInstanceAddresses {
  privateAddress?: string | undefined;
  publicAddress?: string | undefined;
}

/** Maps an Azure VM to the provider contract's instance (instance id = VM name). */
export function mapAzureVirtualMachine(options: {
  virtualMachine: VirtualMachine;
  addresses: AzureInstanceAddresses;
  shape: Resources | undefined;
}): ProviderInstance {
  const { virtualMachine, addresses } = options;
  const name = virtualMachine.name ?? '';
  const mapped: ProviderInstance = {
    instanceId: name,
    name,
    state: mapState(virtualMachine.provisioningState),
    tags: { ...virtualMachine.tags },
  };
  if (options.shape !== undefined) mapped.shape = options.shape;
  if (addresses.privateAddress) mapped.privateAddress = addresses.privateAddress;
  if (addresses.publicAddress) mapped.publicAddress = addresses.publicAddress;
  const created = virtualMachine.timeCreated;
  if (created instanceof Date && !Number.isNaN(created.getTime())) mapped.createdAt = created.toISOString();
  return mapped;
}

/** The hardware of a VM size: cores and memory (GPUs are not reported by the sizes API). */
export function mapAzureVmSizeShape(size: { numberOfCores?: number; memoryInMB?: number }): Resources {
  return { cores: size.numberOfCores ?? 0, memoryMb: size.memoryInMB ?? 0, gpus: 0 };
}
