import type { VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface, PublicIPAddress } from '@azure/arm-network';
import type {
  ComputeProviderV1,
  CreateInstanceOptionsV1,
  DestroyInstanceOptionsV1,
  ListInstancesOptionsV1,
  ProviderInstance,
  Resources,
} from '@headroom/core/provider';
import {
  HEADROOM_TAGS,
  InstanceNotFoundError,
  matchesTags,
  mergeCustomTags,
  ProviderApiError,
  parseProviderSettings,
  systemTimers,
} from '@headroom/core/provider';
import { type AzureClients, createAzureSdkClients } from './azure-client.js';
import { callAzure, isAzureAbortError, isAzureNotFound } from './azure-error.js';
import { collectAzureItems, resourceNameOf } from './azure-list.js';
import { waitForAzureOperation } from './azure-long-running-operation.js';
import { type AzureProviderSettings, azureProviderSettingsSchema } from './azure-provider-settings.js';
import { azureResourceNames, toAzureComputerName, toAzureVmName } from './azure-resource-names.js';
import { AZURE_PROVIDER_ID, resolveAzureSecret } from './azure-setting.js';
import { convertToAzureNetworkInterface, convertToAzurePublicIpAddress } from './convert-to-azure-network-interface.js';
import { convertToAzureVirtualMachine, encodeAzureCustomData } from './convert-to-azure-virtual-machine.js';
import { type AzureInstanceAddresses, mapAzureVirtualMachine, mapAzureVmSizeShape } from './map-azure-instance.js';

/** The Azure VM adapter. `retrieveConnectionSecret` is present only for Windows with `osPassword`. */
export interface AzureProvider extends ComputeProviderV1 {
  readonly providerId: 'azure';
  /** The administrator password of a Windows VM (`osPassword`). Never logged. */
  retrieveConnectionSecret?(options: { instanceId: string; abortSignal?: AbortSignal }): Promise<string | undefined>;
  close(): Promise<void>;
}

function hasAnyResource(shape: Resources): boolean {
  return shape.cores > 0 || shape.memoryMb > 0 || shape.gpus > 0;
}

const lowerId = (id: string | undefined): string => (id ?? '').toLowerCase();

/**
 * Creates the Azure VM compute provider. Settings are validated here (an
 * `InvalidProviderConfigError` names the first bad field); the SDKs are loaded and secrets are
 * resolved on the first call. Each VM is a NIC, an optional public IP, the VM and its OS disk, all
 * carrying the same tags; destroy removes all four.
 */
export function createAzureProvider(settings: AzureProviderSettings): AzureProvider {
  const { clients: injectedClients, timers = systemTimers, ...configSettings } = settings;
  const parsed = parseProviderSettings({
    schema: azureProviderSettingsSchema,
    settings: configSettings,
    providerId: AZURE_PROVIDER_ID,
  });
  const resourceGroup = parsed.resourceGroup;
  let clientsPromise: Promise<AzureClients> | undefined;
  let sizesPromise: Promise<Map<string, Resources>> | undefined;

  const getClients = (): Promise<AzureClients> => {
    clientsPromise ??= injectedClients ? Promise.resolve(injectedClients) : createAzureSdkClients(parsed);
    clientsPromise.catch(() => {
      clientsPromise = undefined;
    });
    return clientsPromise;
  };
  const lroOptions = (abortSignal: AbortSignal | undefined) => ({
    updateIntervalInMs: parsed.pollIntervalMs,
    ...(abortSignal ? { abortSignal } : {}),
  });
  const wait = <Result>(
    poller: Parameters<typeof waitForAzureOperation<Result>>[0]['poller'],
    abortSignal?: AbortSignal,
  ) => waitForAzureOperation<Result>({ poller, timers, pollIntervalMs: parsed.pollIntervalMs, abortSignal });

  /** Cores and memory of the region's VM sizes, read once. */
  const getSizeShape = async (vmSize: string | undefined, abortSignal: AbortSignal | undefined) => {
    sizesPromise ??= (async () => {
      const { compute } = await getClients();
      const sizes = await collectAzureItems({
        operation: 'VirtualMachineSizes.List',
        abortSignal,
        list: () => compute.virtualMachineSizes.list(parsed.region, abortSignal ? { abortSignal } : {}),
      });
      return new Map(sizes.map((size) => [lowerId(size.name), mapAzureVmSizeShape(size)]));
    })();
    sizesPromise.catch(() => {
      sizesPromise = undefined;
    });
    return (await sizesPromise).get(lowerId(vmSize));
  };

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

  const toInstance = async (
    virtualMachine: VirtualMachine,
    addresses: AzureInstanceAddresses,
    shape: Resources,
    abortSignal: AbortSignal | undefined,
  ): Promise<ProviderInstance> =>
    mapAzureVirtualMachine({
      virtualMachine,
      addresses,
      shape: hasAnyResource(shape) ? shape : await getSizeShape(virtualMachine.hardwareProfile?.vmSize, abortSignal),
    });

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

  const provider: AzureProvider = {
    specificationVersion: 'v1',
    providerId: AZURE_PROVIDER_ID,

    async createInstance(options: CreateInstanceOptionsV1): Promise<ProviderInstance> {
      const { abortSignal, idempotencyKey } = options;
      abortSignal?.throwIfAborted();
      const startupScript = options.startupScript ?? parsed.startupScript;
      const customData = startupScript === undefined ? undefined : encodeAzureCustomData(startupScript);
      const vmName = toAzureVmName({ name: options.name, idempotencyKey });
      const existing = await getVirtualMachine(vmName, abortSignal);
      if (existing) {
        if (existing.tags?.[HEADROOM_TAGS.intent] !== idempotencyKey) {
          throw new ProviderApiError({
            providerId: AZURE_PROVIDER_ID,
            message: `VM ${vmName} already exists in ${resourceGroup} for another create intent`,
            code: 'VmNameTaken',
            isRetryable: false,
          });
        }
        return toInstance(existing, await readAddresses(existing, abortSignal), options.shape, abortSignal);
      }
      const overrideTags = (parsed.configOverride?.tags ?? {}) as Record<string, string>;
      const { tags } = mergeCustomTags({ managedTags: options.tags, customTags: { ...parsed.tags, ...overrideTags } });
      const computerName = toAzureComputerName({ vmName, idempotencyKey, isWindows: parsed.isWindows });
      try {
        const created = await createResources({ vmName, computerName, tags, customData, abortSignal });
        return await toInstance(created.virtualMachine, created.addresses, options.shape, abortSignal);
      } catch (error) {
        // A refused or failed create leaves nothing behind (a failed VM, its NIC, its public IP).
        if (!isAzureAbortError(error, abortSignal) && !abortSignal?.aborted) {
          await removeAll(vmName, undefined).catch(() => undefined);
        }
        throw error;
      }
    },

    async destroyInstance(options: DestroyInstanceOptionsV1): Promise<void> {
      options.abortSignal?.throwIfAborted();
      await removeAll(options.instanceId, options.abortSignal);
    },

    async listInstances(options: ListInstancesOptionsV1): Promise<ProviderInstance[]> {
      const { abortSignal, tags } = options;
      abortSignal?.throwIfAborted();
      const { compute, network } = await getClients();
      const signal = abortSignal ? { abortSignal } : {};
      const virtualMachines = (
        await collectAzureItems({
          operation: 'VirtualMachines.List',
          abortSignal,
          list: () => compute.virtualMachines.list(resourceGroup, signal),
        })
      ).filter((virtualMachine) => virtualMachine.name && matchesTags(virtualMachine.tags ?? {}, tags));
      if (virtualMachines.length === 0) return [];
      const [nics, publicIps] = await Promise.all([
        collectAzureItems({
          operation: 'NetworkInterfaces.List',
          abortSignal,
          list: () => network.networkInterfaces.list(resourceGroup, signal),
        }),
        collectAzureItems({
          operation: 'PublicIPAddresses.List',
          abortSignal,
          list: () => network.publicIPAddresses.list(resourceGroup, signal),
        }),
      ]);
      const nicsById = new Map(nics.map((nic) => [lowerId(nic.id), nic]));
      const publicIpsById = new Map(publicIps.map((publicIp) => [lowerId(publicIp.id), publicIp]));
      const instances: ProviderInstance[] = [];
      for (const virtualMachine of virtualMachines) {
        const configuration = nicsById.get(lowerId(virtualMachine.networkProfile?.networkInterfaces?.[0]?.id))
          ?.ipConfigurations?.[0];
        const addresses = {
          privateAddress: configuration?.privateIPAddress,
          publicAddress: publicIpsById.get(lowerId(configuration?.publicIPAddress?.id))?.ipAddress,
        };
        instances.push(await toInstance(virtualMachine, addresses, { cores: 0, memoryMb: 0, gpus: 0 }, abortSignal));
      }
      return instances;
    },

    async close(): Promise<void> {
      clientsPromise = undefined;
      sizesPromise = undefined;
    },
  };

  if (parsed.isWindows && parsed.osPassword !== undefined) {
    const osPassword = parsed.osPassword;
    provider.retrieveConnectionSecret = async ({ instanceId, abortSignal }) => {
      abortSignal?.throwIfAborted();
      if (!(await getVirtualMachine(instanceId, abortSignal))) {
        throw new InstanceNotFoundError({ providerId: AZURE_PROVIDER_ID, instanceId });
      }
      return resolveAzureSecret({ setting: osPassword, settingName: 'osPassword' });
    };
  }

  return provider satisfies ComputeProviderV1;
}
