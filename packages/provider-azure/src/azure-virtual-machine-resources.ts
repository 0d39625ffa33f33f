import type { VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface, PublicIPAddress } from '@azure/arm-network';
import { HEADROOM_TAGS, ProviderApiError, type Timers } from '@headroom/core/provider';
import type { AzureClients } from './azure-client.js';
import { callAzure, isAzureNotFound } from './azure-error.js';
import { resourceNameOf } from './azure-list.js';
import { waitForAzureOperation } from './azure-long-running-operation.js';
import type { AzureProviderParsedSettings } from './azure-provider-settings.js';
import { azureResourceNames } from './azure-resource-names.js';
import { AZURE_PROVIDER_ID, resolveAzureSecret } from './azure-setting.js';
import { convertToAzureNetworkInterface, convertToAzurePublicIpAddress } from './convert-to-azure-network-interface.js';
import { convertToAzureVirtualMachine } from './convert-to-azure-virtual-machine.js';

/**
 * The resources of Headroom VMs in one resource group: a VM, its NIC, its optional public IP and
 * its OS disk, created and removed together; long-running operations wait on `timers`.
 */
export function createAzureVmResources(options: {
  settings: AzureProviderParsedSettings;
  getClients: () => Promise<AzureClients>;
  timers: Timers;
}) {
  const { settings: parsed, getClients, timers } = options;
  const resourceGroup = parsed.resourceGroup;
  const lroOptions = (abortSignal: AbortSignal | undefined) => ({
    updateIntervalInMs: parsed.pollIntervalMs,
    ...(abortSignal ? { abortSignal } : {}),
  });
  const wait = <Result>(
    poller: Parameters<typeof waitForAzureOperation<Result>>[0]['poller'],
    abortSignal?: AbortSignal,
  ) => waitForAzureOperation<Result>({ poller, timers, pollIntervalMs: parsed.pollIntervalMs, abortSignal });

  /** A resource by name, or `undefined` when it does not exist. */
  const getOrUndefined = async <T>(operation: string, abortSignal: AbortSignal | undefined, get: () => Promise<T>) =>
    callAzure({
      operation,
      abortSignal,
      call: async () => {
        try {
          return await get();
        } catch (error) {
          if (isAzureNotFound(error)) return undefined;
          throw error;
        }
      },
    });

  const getVirtualMachine = async (name: string, abortSignal: AbortSignal | undefined) => {
    const { compute } = await getClients();
    return getOrUndefined('VirtualMachines.Get', abortSignal, () =>
      compute.virtualMachines.get(resourceGroup, name, abortSignal ? { abortSignal } : {}),
    );
  };

  /** Addresses of one VM from its primary NIC and that NIC's public IP. */
  const readAddresses = async (virtualMachine: VirtualMachine, abortSignal: AbortSignal | undefined) => {
    const { network } = await getClients();
    const nicName = resourceNameOf(virtualMachine.networkProfile?.networkInterfaces?.[0]?.id);
    if (!nicName) return {};
    const nic = await getOrUndefined('NetworkInterfaces.Get', abortSignal, () =>
      network.networkInterfaces.get(resourceGroup, nicName, abortSignal ? { abortSignal } : {}),
    );
    const configuration = nic?.ipConfigurations?.[0];
    const publicIpName = resourceNameOf(configuration?.publicIPAddress?.id);
    const publicIp = publicIpName
      ? await getOrUndefined('PublicIPAddresses.Get', abortSignal, () =>
          network.publicIPAddresses.get(resourceGroup, publicIpName, abortSignal ? { abortSignal } : {}),
        )
      : undefined;
    return { privateAddress: configuration?.privateIPAddress, publicAddress: publicIp?.ipAddress };
  };

  /** Tags the OS disk like its VM (Azure does not copy VM tags to the disk it creates). */
  const tagOsDisk = async (diskName: string, tags: Record<string, string>, abortSignal: AbortSignal | undefined) => {
    const { compute } = await getClients();
    await callAzure({
      operation: 'Disks.Update',
      abortSignal,
      call: async () => {
        try {
          await wait(compute.disks.update(resourceGroup, diskName, { tags }, lroOptions(abortSignal)), abortSignal);
        } catch (error) {
          if (!isAzureNotFound(error)) throw error;
        }
      },
    });
  };

  /** Deletes one resource and waits; a missing one counts as deleted. */
  const deleteAndWait = (
    operation: string,
    abortSignal: AbortSignal | undefined,
    start: () => Parameters<typeof wait>[0],
  ) =>
    callAzure({
      operation,
      abortSignal,
      call: async () => {
        try {
          await wait(start(), abortSignal);
        } catch (error) {
          if (!isAzureNotFound(error)) throw error;
        }
      },
    });

  /**
   * Removes a VM and what it owns: the VM (its NIC and OS disk go with it by delete option), then
   * whatever is left of the NIC, public IP and OS disk that carries Headroom's tags.
   */
  const removeAll = async (name: string, abortSignal: AbortSignal | undefined) => {
    const { compute, network } = await getClients();
    const names = azureResourceNames(name);
    const virtualMachine = await getVirtualMachine(name, abortSignal);
    const nicName =
      resourceNameOf(virtualMachine?.networkProfile?.networkInterfaces?.[0]?.id) ?? names.networkInterface;
    const diskName = virtualMachine?.storageProfile?.osDisk?.name ?? names.osDisk;
    if (virtualMachine) {
      await deleteAndWait('VirtualMachines.Delete', abortSignal, () =>
        compute.virtualMachines.delete(resourceGroup, name, lroOptions(abortSignal)),
      );
    }
    const nic = await getOrUndefined<NetworkInterface>('NetworkInterfaces.Get', abortSignal, () =>
      network.networkInterfaces.get(resourceGroup, nicName, abortSignal ? { abortSignal } : {}),
    );
    const publicIpName = resourceNameOf(nic?.ipConfigurations?.[0]?.publicIPAddress?.id) ?? names.publicIpAddress;
    if (nic?.tags?.[HEADROOM_TAGS.managedBy]) {
      await deleteAndWait('NetworkInterfaces.Delete', abortSignal, () =>
        network.networkInterfaces.beginDelete(resourceGroup, nicName, lroOptions(abortSignal)),
      );
    }
    const publicIp = await getOrUndefined<PublicIPAddress>('PublicIPAddresses.Get', abortSignal, () =>
      network.publicIPAddresses.get(resourceGroup, publicIpName, abortSignal ? { abortSignal } : {}),
    );
    if (publicIp?.tags?.[HEADROOM_TAGS.managedBy]) {
      await deleteAndWait('PublicIPAddresses.Delete', abortSignal, () =>
        network.publicIPAddresses.beginDelete(resourceGroup, publicIpName, lroOptions(abortSignal)),
      );
    }
    const disk = await getOrUndefined('Disks.Get', abortSignal, () =>
      compute.disks.get(resourceGroup, diskName, abortSignal ? { abortSignal } : {}),
    );
    if (disk?.tags?.[HEADROOM_TAGS.managedBy]) {
      await deleteAndWait('Disks.Delete', abortSignal, () =>
        compute.disks.delete(resourceGroup, diskName, lroOptions(abortSignal)),
      );
    }
  };

  /** Creates the public IP (when on), the NIC and the VM, waiting for each long-running operation. */
  const createResources = async (options: {
    vmName: string;
    computerName: string;
    tags: Record<string, string>;
    customData: string | undefined;
    abortSignal: AbortSignal | undefined;
  }) => {
    const { vmName, tags, abortSignal } = options;
    const { compute, network } = await getClients();
    const names = azureResourceNames(vmName);
    const publicIp = parsed.assignPublicIp
      ? await callAzure({
          operation: 'PublicIPAddresses.CreateOrUpdate',
          abortSignal,
          call: () =>
            wait<PublicIPAddress>(
              network.publicIPAddresses.beginCreateOrUpdate(
                resourceGroup,
                names.publicIpAddress,
                convertToAzurePublicIpAddress({ settings: parsed, tags }),
                lroOptions(abortSignal),
              ),
              abortSignal,
            ),
        })
      : undefined;
    const nic = await callAzure({
      operation: 'NetworkInterfaces.CreateOrUpdate',
      abortSignal,
      call: () =>
        wait<NetworkInterface>(
          network.networkInterfaces.beginCreateOrUpdate(
            resourceGroup,
            names.networkInterface,
            convertToAzureNetworkInterface({ settings: parsed, tags, publicIpAddressId: publicIp?.id }),
            lroOptions(abortSignal),
          ),
          abortSignal,
        ),
    });
    if (!nic.id) {
      throw new ProviderApiError({
        providerId: AZURE_PROVIDER_ID,
        message: 'the created NIC has no id',
        isRetryable: true,
      });
    }
    const adminPassword =
      parsed.osPassword === undefined
        ? undefined
        : await resolveAzureSecret({ setting: parsed.osPassword, settingName: 'osPassword' });
    const request = convertToAzureVirtualMachine({
      settings: parsed,
      computerName: options.computerName,
      osDiskName: names.osDisk,
      networkInterfaceId: nic.id,
      tags,
      customData: options.customData,
      adminPassword,
    });
    const virtualMachine = await callAzure({
      operation: 'VirtualMachines.CreateOrUpdate',
      abortSignal,
      call: () =>
        wait<VirtualMachine>(
          compute.virtualMachines.createOrUpdate(resourceGroup, vmName, request, lroOptions(abortSignal)),
          abortSignal,
        ),
    });
    const diskName = virtualMachine.storageProfile?.osDisk?.name ?? names.osDisk;
    await tagOsDisk(diskName, tags, abortSignal);
    const addresses = {
      privateAddress: nic.ipConfigurations?.[0]?.privateIPAddress,
      publicAddress: publicIp?.ipAddress,
    };
    return { virtualMachine, addresses };
  };

  return { getVirtualMachine, readAddresses, createResources, removeAll };
}

export type AzureVmResources = ReturnType<typeof createAzureVmResources>;
