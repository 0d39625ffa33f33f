import { DISK_NAME_SUFFIX } from './kubevirt-instance-name.js';
import type { KubevirtFlavourSettings } from './kubevirt-provider-settings.js';

/** Name of the config-drive disk and volume the seed's rules append. */
export const CONFIG_DRIVE_NAME = 'config-drive-disk';
/** Placeholders replaced by the instance name in a `configOverride` manifest. */
export const NAME_PLACEHOLDERS = ['$KASM_NAME', '$HEADROOM_NAME'] as const;
/** Harvester annotations: the image a PVC is cloned from, and the PVC templates of a VM. */
export const HARVESTER_IMAGE_ANNOTATION = 'harvesterhci.io/imageId';
export const HARVESTER_VOLUME_CLAIM_TEMPLATES_ANNOTATION = 'harvesterhci.io/volumeClaimTemplates';

/** What the manifest rules need to know about one VM. */
export interface VirtualMachineIdentity {
  /** The VM name (also the hostname and `$KASM_NAME`). */
  name: string;
  namespace: string;
  /** Labels for the VM, its VMI, its disks (tags plus the instance label). */
  labels: Record<string, string>;
  /** Annotations for the VM (the exact tags, the requested name). */
  annotations: Record<string, string>;
  /** The cloud-init Secret mounted as the config drive. */
  secretName: string;
}

type JsonObject = Record<string, unknown>;

const asObject = (value: unknown): JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {};
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Sets `object[key]` to an object (the existing one, or a new one) and returns it. */
function child(object: JsonObject, key: string): JsonObject {
  const existing = asObject(object[key]);
  object[key] = existing;
  return existing;
}

/** Appends `entry` to a list of named entries, replacing an entry of the same name. */
function appendNamed(list: unknown[], entry: JsonObject): unknown[] {
  return [...list.filter((item) => asObject(item).name !== entry.name), entry];
}

/** `$KASM_NAME` (and `$HEADROOM_NAME`) → the VM name, everywhere in the manifest. */
export function replaceNamePlaceholders(manifest: JsonObject, name: string): JsonObject {
  let text = JSON.stringify(manifest);
  for (const placeholder of NAME_PLACEHOLDERS) text = text.replaceAll(placeholder, name);
  return JSON.parse(text) as JsonObject;
}

/**
 * The seed's override rules, applied to a generated manifest as well: placeholders replaced;
 * `metadata.name`, `namespace` set; Headroom's labels and annotations merged in (they win);
 * `runStrategy: Always` (and no `running`); `hostname` = the name; the `config-drive-disk` cdrom
 * (sata, read-only) and its `cloudInitConfigDrive` volume on `<name>-secret` appended. Headroom's
 * labels also go on the VMI template and every `dataVolumeTemplates` entry, so that the VMI and
 * the disks can be found and collected by label. Everything else is preserved.
 */
export function applyVirtualMachineRules(options: {
  manifest: JsonObject;
  identity: VirtualMachineIdentity;
}): JsonObject {
  const { identity } = options;
  const manifest = replaceNamePlaceholders(options.manifest, identity.name);
  manifest.apiVersion = 'kubevirt.io/v1';
  manifest.kind = 'VirtualMachine';
  const metadata = child(manifest, 'metadata');
  for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'generateName']) {
    delete metadata[key];
  }
  metadata.name = identity.name;
  metadata.namespace = identity.namespace;
  metadata.labels = { ...asObject(metadata.labels), ...identity.labels };
  metadata.annotations = { ...asObject(metadata.annotations), ...identity.annotations };
  delete manifest.status;

  const spec = child(manifest, 'spec');
  delete spec.running;
  spec.runStrategy = 'Always';
  if (Array.isArray(spec.dataVolumeTemplates)) {
    spec.dataVolumeTemplates = spec.dataVolumeTemplates.map((template) => {
      const copy = asObject(template);
      const templateMetadata = child(copy, 'metadata');
      templateMetadata.labels = { ...asObject(templateMetadata.labels), ...identity.labels };
      return copy;
    });
  }
  const template = child(spec, 'template');
  const templateMetadata = child(template, 'metadata');
  templateMetadata.labels = {
    ...asObject(templateMetadata.labels),
    ...identity.labels,
    'kubevirt.io/vm': identity.name,
  };
  const templateSpec = child(template, 'spec');
  templateSpec.hostname = identity.name;
  const devices = child(child(templateSpec, 'domain'), 'devices');
  devices.disks = appendNamed(asArray(devices.disks), {
    name: CONFIG_DRIVE_NAME,
    cdrom: { bus: 'sata', readonly: true },
  });
  templateSpec.volumes = appendNamed(asArray(templateSpec.volumes), {
    name: CONFIG_DRIVE_NAME,
    cloudInitConfigDrive: { secretRef: { name: identity.secretName } },
  });
  return manifest;
}

/** A Harvester image or network reference as `namespace/name` (default namespace: the VMs'). */
export function qualifyHarvesterName(reference: string, namespace: string): string {
  return reference.includes('/') ? reference : `${namespace}/${reference}`;
}

function rootDisk(settings: KubevirtFlavourSettings, identity: VirtualMachineIdentity) {
  const diskName = `${identity.name}${DISK_NAME_SUFFIX}`;
  const storage = { resources: { requests: { storage: `${settings.diskSizeGb}Gi` } } };
  if (settings.type === 'harvester') {
    const imageId = qualifyHarvesterName(settings.diskImage ?? '', identity.namespace);
    const imageName = imageId.split('/')[1] as string;
    const claimTemplate = {
      metadata: {
        name: diskName,
        annotations: { [HARVESTER_IMAGE_ANNOTATION]: imageId },
        labels: identity.labels,
      },
      spec: {
        accessModes: ['ReadWriteMany'],
        volumeMode: 'Block',
        storageClassName: settings.storageClassName ?? `longhorn-${imageName}`,
        ...storage,
      },
    };
    return {
      annotations: { [HARVESTER_VOLUME_CLAIM_TEMPLATES_ANNOTATION]: JSON.stringify([claimTemplate]) },
      volume: { name: 'root-disk', persistentVolumeClaim: { claimName: diskName } },
      dataVolumeTemplates: undefined,
    };
  }
  if (settings.containerDiskImage !== undefined) {
    return {
      annotations: {},
      volume: { name: 'root-disk', containerDisk: { image: settings.containerDiskImage } },
      dataVolumeTemplates: undefined,
    };
  }
  const dataVolumeTemplate = {
    metadata: { name: diskName },
    spec: {
      source: { pvc: { name: settings.diskSourcePvc, namespace: settings.diskSourceNamespace ?? identity.namespace } },
      storage: { ...storage, ...(settings.storageClassName ? { storageClassName: settings.storageClassName } : {}) },
    },
  };
  return {
    annotations: {},
    volume: { name: 'root-disk', dataVolume: { name: diskName } },
    dataVolumeTemplates: [dataVolumeTemplate],
  };
}

function network(settings: KubevirtFlavourSettings, namespace: string) {
  const interfaceName = settings.networkType === 'pod' ? 'default' : 'nic-0';
  const binding = settings.interfaceType ?? (settings.networkType === 'pod' ? 'masquerade' : 'bridge');
  const networkName =
    settings.type === 'harvester' ? qualifyHarvesterName(settings.networkName, namespace) : settings.networkName;
  return {
    interfaces: [{ name: interfaceName, model: 'virtio', [binding]: {} }],
    networks: [
      settings.networkType === 'pod'
        ? { name: interfaceName, pod: {} }
        : { name: interfaceName, multus: { networkName } },
    ],
  };
}

/** The VirtualMachine Headroom generates from the settings when no `configOverride` is given. */
export function buildVirtualMachineManifest(options: {
  settings: KubevirtFlavourSettings;
  identity: VirtualMachineIdentity;
}): JsonObject {
  const { settings, identity } = options;
  const disk = rootDisk(settings, identity);
  const { interfaces, networks } = network(settings, identity.namespace);
  const firmware = settings.enableEfiBoot
    ? { firmware: { bootloader: { efi: { secureBoot: settings.enableSecureBoot } } } }
    : {};
  const features = settings.enableSecureBoot ? { features: { smm: { enabled: true } } } : {};
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: identity.name, namespace: identity.namespace, annotations: disk.annotations },
    spec: {
      runStrategy: 'Always',
      ...(disk.dataVolumeTemplates ? { dataVolumeTemplates: disk.dataVolumeTemplates } : {}),
      template: {
        metadata: {},
        spec: {
          domain: {
            cpu: { cores: settings.cores, sockets: 1, threads: 1 },
            memory: { guest: `${settings.memoryMb}Mi` },
            resources: { requests: { memory: `${settings.memoryMb}Mi` } },
            ...firmware,
            ...features,
            devices: {
              disks: [{ name: 'root-disk', disk: { bus: 'virtio' }, bootOrder: 1 }],
              interfaces,
              ...(settings.enableTpm ? { tpm: {} } : {}),
            },
          },
          networks,
          volumes: [disk.volume],
        },
      },
    },
  };
}

/** The VirtualMachine to create: the override (or the generated manifest) with the rules applied. */
export function convertToKubevirtVirtualMachine(options: {
  settings: KubevirtFlavourSettings;
  identity: VirtualMachineIdentity;
}): JsonObject {
  const manifest = options.settings.configOverride ?? buildVirtualMachineManifest(options);
  return applyVirtualMachineRules({ manifest, identity: options.identity });
}
