import type { VirtualMachine } from '@azure/arm-compute';
import { InvalidProviderConfigError } from '@headroom/core/provider';
import type { AzureProviderParsedSettings } from './azure-provider-settings.js';
import { AZURE_PROVIDER_ID } from './azure-setting.js';

/** Largest custom data Azure accepts: 65535 bytes before base64. */
export const AZURE_MAX_CUSTOM_DATA_BYTES = 65_535;

/**
 * The base64 custom data of a startup script.
 * @throws InvalidProviderConfigError (field `startupScript`) when it is larger than Azure accepts.
 */
export function encodeAzureCustomData(startupScript: string): string {
  const bytes = Buffer.from(startupScript, 'utf8');
  if (bytes.length > AZURE_MAX_CUSTOM_DATA_BYTES) {
    throw new InvalidProviderConfigError({
      providerId: AZURE_PROVIDER_ID,
      field: 'startupScript',
      message: `the rendered startup script is ${bytes.length} bytes; Azure custom data is at most ${AZURE_MAX_CUSTOM_DATA_BYTES} bytes`,
    });
  }
  return bytes.toString('base64');
}

type PlainObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is PlainObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Deep merge: objects merge member by member; arrays and other values replace. Inputs are not changed. */
export function deepMerge(base: PlainObject, override: PlainObject): PlainObject {
  const merged: PlainObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

/** The override with a portal-style top-level `properties` object lifted into the SDK's flat model. */
function flattenOverride(override: PlainObject | undefined): PlainObject {
  if (!override) return {};
  const { properties, ...rest } = override;
  return isPlainObject(properties) ? deepMerge(rest, properties) : rest;
}

export interface AzureVirtualMachineRequestOptions {
  settings: AzureProviderParsedSettings;
  computerName: string;
  osDiskName: string;
  networkInterfaceId: string;
  /** Every tag of the VM: custom and Headroom's. */
  tags: Record<string, string>;
  /** Base64 custom data, when there is a startup script. */
  customData: string | undefined;
  /** The resolved `osPassword`, when set. Never logged. */
  adminPassword: string | undefined;
}

/**
 * The `VirtualMachine` create request (the `@azure/arm-compute` model). Precedence, lowest first:
 * Headroom's defaults from the settings, then `configOverride`, then what Headroom always sets:
 * the tags, the NIC (deleted with the VM) and the OS disk's name and delete option.
 */
export function convertToAzureVirtualMachine(options: AzureVirtualMachineRequestOptions): VirtualMachine {
  const { settings } = options;
  const osProfile: PlainObject = {
    computerName: options.computerName,
    adminUsername: settings.osUsername,
    ...(options.adminPassword === undefined ? {} : { adminPassword: options.adminPassword }),
    ...(options.customData === undefined ? {} : { customData: options.customData }),
    ...(settings.isWindows
      ? { windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true } }
      : {
          linuxConfiguration: {
            disablePasswordAuthentication: options.adminPassword === undefined,
            provisionVMAgent: true,
            ...(settings.sshPublicKey === undefined
              ? {}
              : {
                  ssh: {
                    publicKeys: [
                      { path: `/home/${settings.osUsername}/.ssh/authorized_keys`, keyData: settings.sshPublicKey },
                    ],
                  },
                }),
          },
        }),
  };
  const defaults: PlainObject = {
    location: settings.region,
    hardwareProfile: { vmSize: settings.vmSize },
    storageProfile: {
      imageReference: { ...settings.imageReference },
      osDisk: {
        createOption: 'FromImage',
        caching: 'ReadWrite',
        managedDisk: { storageAccountType: settings.osDiskType },
        ...(settings.osDiskSizeGb === undefined ? {} : { diskSizeGB: settings.osDiskSizeGb }),
      },
    },
    osProfile,
  };
  // Override tags reach `options.tags` through the provider (without `headroom-*` keys).
  const { tags: _overrideTags, ...override } = flattenOverride(settings.configOverride);
  const merged = deepMerge(defaults, override);
  const always: PlainObject = {
    tags: options.tags,
    storageProfile: { osDisk: { name: options.osDiskName, deleteOption: 'Delete' } },
    networkProfile: {
      networkInterfaces: [{ id: options.networkInterfaceId, primary: true, deleteOption: 'Delete' }],
    },
  };
  return deepMerge(merged, always) as unknown as VirtualMachine;
}
