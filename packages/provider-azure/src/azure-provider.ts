import type { VirtualMachine } from '@azure/arm-compute';
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
import { isAzureAbortError } from './azure-error.js';
import { collectAzureItems } from './azure-list.js';
import { type AzureProviderSettings, azureProviderSettingsSchema } from './azure-provider-settings.js';
import { toAzureComputerName, toAzureVmName } from './azure-resource-names.js';
import { AZURE_PROVIDER_ID, resolveAzureSecret } from './azure-setting.js';
import { createAzureVmResources } from './azure-virtual-machine-resources.js';
import { encodeAzureCustomData } from './convert-to-azure-virtual-machine.js';
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
  const resources = createAzureVmResources({ settings: parsed, getClients, timers });
  const { getVirtualMachine, readAddresses, createResources, removeAll } = resources;

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
