import { createHash } from 'node:crypto';
import { InvalidProviderConfigError } from '@headroom/core/provider';
import type { GcpInstance } from './gcp-client.js';
import { GCP_PROVIDER_ID } from './gcp-error.js';
import { encodeGcpLabels, GCP_TAGS_METADATA_KEY } from './gcp-labels.js';
import type { GcpProviderParsedSettings } from './gcp-provider-settings.js';

/** Metadata key of the startup script by script type. */
export const GCP_STARTUP_SCRIPT_KEYS = {
  bash: 'startup-script',
  powershell: 'windows-startup-script-ps1',
} as const;

/** Largest metadata value GCP accepts (256 KiB). */
const maxMetadataValueBytes = 256 * 1024;

/**
 * The `requestId` of a call for an idempotency key: a UUID (GCP requires one) derived from the
 * key, so that a retried call is recognised by GCP as the same request.
 */
export function convertToGcpRequestId(options: { idempotencyKey: string; purpose: 'insert' | 'delete' }): string {
  const hex = createHash('sha256').update(`headroom:${options.purpose}:${options.idempotencyKey}`).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const gcpNamePattern = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * A valid Compute Engine instance name for Headroom's name: the name itself when valid (the usual
 * case: Headroom's names are DNS labels), else lowercased, other characters as `-`, prefixed with
 * `h-` when it does not start with a letter, at most 63 characters.
 */
export function toGcpInstanceName(name: string): string {
  if (gcpNamePattern.test(name)) return name;
  let converted = name.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (!/^[a-z]/.test(converted)) converted = `h-${converted}`;
  converted = converted.slice(0, 63).replace(/-+$/, '');
  return converted === '' ? 'h' : converted;
}

/** The startup script's metadata key for the settings (`startupScriptType`, else from `osType`). */
export function gcpStartupScriptKey(settings: Pick<GcpProviderParsedSettings, 'osType' | 'startupScriptType'>): string {
  const scriptType = settings.startupScriptType ?? (settings.osType === 'windows' ? 'powershell' : 'bash');
  return GCP_STARTUP_SCRIPT_KEYS[scriptType];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Deep merge: objects merge member by member; arrays and values replace. */
function mergeOverride(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? mergeOverride(current, value) : value;
  }
  return merged;
}

function zonalPath(zone: string, collection: string, value: string): string {
  return value.includes('/') ? value : `zones/${zone}/${collection}/${value}`;
}

function buildMetadata(options: {
  settings: GcpProviderParsedSettings;
  startupScript: string | undefined;
  hashedTags: Record<string, string>;
}): { key: string; value: string }[] {
  const items = options.settings.metadata.map((item) => ({ key: item.key, value: item.value }));
  if (options.startupScript !== undefined) {
    if (Buffer.byteLength(options.startupScript, 'utf8') > maxMetadataValueBytes) {
      throw new InvalidProviderConfigError({
        providerId: GCP_PROVIDER_ID,
        field: 'startupScript',
        message: 'is larger than 256 KiB once rendered (the GCP metadata value limit)',
      });
    }
    items.push({ key: gcpStartupScriptKey(options.settings), value: options.startupScript });
  }
  if (Object.keys(options.hashedTags).length > 0) {
    items.push({ key: GCP_TAGS_METADATA_KEY, value: JSON.stringify(options.hashedTags) });
  }
  return items;
}

/**
 * The Compute Engine `Instance` resource for one create: every setting, the labels carrying the
 * tags (on the instance and its boot disk), the startup script under the key of its type, and
 * `configOverride` deep-merged (it cannot set `name`, `labels` or `metadata`).
 */
export function convertToGcpInstance(options: {
  settings: GcpProviderParsedSettings;
  name: string;
  tags: Readonly<Record<string, string>>;
  startupScript: string | undefined;
}): GcpInstance {
  const { settings, name, tags, startupScript } = options;
  const { zone } = settings;
  const { labels: tagLabels, hashedTags } = encodeGcpLabels(tags);
  const labels = { ...settings.labels, ...tagLabels };
  const hasAccelerators = settings.guestAccelerators.length > 0;
  const base: Record<string, unknown> = {
    machineType: zonalPath(zone, 'machineTypes', settings.machineType),
    disks: [
      {
        boot: true,
        autoDelete: true,
        type: 'PERSISTENT',
        mode: 'READ_WRITE',
        initializeParams: {
          sourceImage: settings.image,
          ...(settings.bootVolumeSizeGb !== undefined ? { diskSizeGb: settings.bootVolumeSizeGb } : {}),
          ...(settings.diskType !== undefined ? { diskType: zonalPath(zone, 'diskTypes', settings.diskType) } : {}),
        },
        ...(settings.customerManagedEncryptionKey !== undefined
          ? { diskEncryptionKey: { kmsKeyName: settings.customerManagedEncryptionKey } }
          : {}),
      },
    ],
    networkInterfaces: [
      {
        ...(settings.network !== undefined ? { network: settings.network } : {}),
        ...(settings.subnetwork !== undefined ? { subnetwork: settings.subnetwork } : {}),
        ...(settings.publicIp ? { accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }] } : {}),
      },
    ],
    ...(settings.networkTags.length > 0 ? { tags: { items: [...settings.networkTags] } } : {}),
    ...(settings.serviceAccount
      ? { serviceAccounts: [{ email: settings.serviceAccount.email, scopes: [...settings.serviceAccount.scopes] }] }
      : {}),
    ...(hasAccelerators
      ? {
          guestAccelerators: settings.guestAccelerators.map((accelerator) => ({
            acceleratorType: zonalPath(zone, 'acceleratorTypes', accelerator.acceleratorType),
            acceleratorCount: accelerator.acceleratorCount,
          })),
          // GPUs cannot live-migrate: GCP refuses instances with accelerators unless they stop for maintenance.
          scheduling: { onHostMaintenance: 'TERMINATE', automaticRestart: true },
        }
      : {}),
  };
  const merged = settings.configOverride ? mergeOverride(base, settings.configOverride) : base;
  const disks = Array.isArray(merged.disks) ? (merged.disks as Record<string, unknown>[]) : [];
  return {
    ...merged,
    name,
    labels,
    metadata: { items: buildMetadata({ settings, startupScript, hashedTags }) },
    // Tags go on every disk the instance creates, so that leftovers can be found and attributed.
    disks: disks.map((disk) =>
      isPlainObject(disk.initializeParams)
        ? {
            ...disk,
            initializeParams: {
              ...disk.initializeParams,
              labels: { ...(disk.initializeParams.labels as Record<string, string> | undefined), ...labels },
            },
          }
        : disk,
    ),
  } as GcpInstance;
}
