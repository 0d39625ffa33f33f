import { describe, expect, test } from 'vitest';
import {
  applyVirtualMachineRules,
  CONFIG_DRIVE_NAME,
  convertToKubevirtVirtualMachine,
  HARVESTER_IMAGE_ANNOTATION,
  HARVESTER_VOLUME_CLAIM_TEMPLATES_ANNOTATION,
} from './convert-to-kubevirt-virtual-machine.js';
import {
  harvesterProviderSettingsSchema,
  type KubevirtFlavourSettings,
  kubevirtProviderSettingsSchema,
} from './kubevirt-provider-settings.js';

/** Nested manifest JSON, read field by field. */
// biome-ignore lint/suspicious/noExplicitAny: tests read nested manifest fields directly.
type Loose = any;

const identity = {
  name: 'agents-day-1a2b3c4d',
  namespace: 'kasm',
  labels: { 'headroom-pool': 'agents', 'headroom-instance': 'agents-day-1a2b3c4d' },
  annotations: { 'headroom-tags': '{"headroom-pool":"agents"}' },
  secretName: 'agents-day-1a2b3c4d-secret',
};

const base = { namespace: 'kasm', maxInstances: 5, cores: 4, memoryMb: 4096, diskSizeGb: 30 };
const kubevirt = (extra: Record<string, unknown>): KubevirtFlavourSettings => ({
  ...kubevirtProviderSettingsSchema.parse({ ...base, ...extra }),
  type: 'kubevirt',
});
const harvester = (extra: Record<string, unknown>): KubevirtFlavourSettings => ({
  ...harvesterProviderSettingsSchema.parse({ ...base, ...extra }),
  type: 'harvester',
});

// The seed's suggested override: a PVC per VM named from $KASM_NAME, cloned by a DataVolume.
const overrideYaml = `
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: template-vm
  namespace: somewhere-else
  labels: { team: vdi, headroom-pool: forged }
  annotations: { note: keep-me }
spec:
  running: false
  runStrategy: Halted
  dataVolumeTemplates:
    - metadata: { name: $KASM_NAME-pvc }
      spec:
        source: { pvc: { name: golden, namespace: images } }
        storage: { resources: { requests: { storage: 40Gi } } }
  template:
    metadata: { labels: { app: kasm } }
    spec:
      hostname: template-host
      nodeSelector: { gpu: "true" }
      domain:
        cpu: { cores: 8 }
        memory: { guest: 16Gi }
        devices:
          disks:
            - { name: disk-0, disk: { bus: virtio } }
            - { name: ${CONFIG_DRIVE_NAME}, disk: { bus: virtio } }
          interfaces: [{ name: default, masquerade: {} }]
      networks: [{ name: default, pod: {} }]
      volumes:
        - name: disk-0
          persistentVolumeClaim: { claimName: $KASM_NAME-pvc }
        - name: ${CONFIG_DRIVE_NAME}
          cloudInitNoCloud: { userData: "#cloud-config" }
`;

describe('config override: the seed rules', () => {
  const manifest = convertToKubevirtVirtualMachine({ settings: kubevirt({ configOverride: overrideYaml }), identity });
  const spec = manifest.spec as Loose;
  const templateSpec = spec.template.spec;

  test('$KASM_NAME is replaced by the instance name everywhere', () => {
    expect(JSON.stringify(manifest)).not.toContain('$KASM_NAME');
    expect(spec.dataVolumeTemplates[0].metadata.name).toBe('agents-day-1a2b3c4d-pvc');
    expect(templateSpec.volumes[0].persistentVolumeClaim.claimName).toBe('agents-day-1a2b3c4d-pvc');
  });

  test('metadata name and namespace are rewritten; labels gain Headroom labels, which win', () => {
    const metadata = manifest.metadata as Loose;
    expect(metadata.name).toBe(identity.name);
    expect(metadata.namespace).toBe('kasm');
    expect(metadata.labels).toEqual({ team: 'vdi', 'headroom-pool': 'agents', 'headroom-instance': identity.name });
    expect(metadata.annotations).toEqual({ note: 'keep-me', ...identity.annotations });
  });

  test('runStrategy is Always and running is gone', () => {
    expect(spec.runStrategy).toBe('Always');
    expect(spec).not.toHaveProperty('running');
  });

  test('the hostname is the instance name', () => {
    expect(templateSpec.hostname).toBe(identity.name);
  });

  test('the config-drive disk (sata cdrom, read-only) and its Secret volume are appended, replacing a same-named entry', () => {
    expect(templateSpec.domain.devices.disks).toEqual([
      { name: 'disk-0', disk: { bus: 'virtio' } },
      { name: 'config-drive-disk', cdrom: { bus: 'sata', readonly: true } },
    ]);
    expect(templateSpec.volumes).toEqual([
      { name: 'disk-0', persistentVolumeClaim: { claimName: 'agents-day-1a2b3c4d-pvc' } },
      { name: 'config-drive-disk', cloudInitConfigDrive: { secretRef: { name: 'agents-day-1a2b3c4d-secret' } } },
    ]);
  });

  test('Headroom labels also go on the VMI template and the DataVolume templates', () => {
    expect(spec.template.metadata.labels).toEqual({ app: 'kasm', ...identity.labels, 'kubevirt.io/vm': identity.name });
    expect(spec.dataVolumeTemplates[0].metadata.labels).toEqual(identity.labels);
  });

  test('everything else is preserved', () => {
    expect(templateSpec.nodeSelector).toEqual({ gpu: 'true' });
    expect(templateSpec.domain.cpu).toEqual({ cores: 8 });
    expect(templateSpec.domain.memory).toEqual({ guest: '16Gi' });
    expect(templateSpec.networks).toEqual([{ name: 'default', pod: {} }]);
    expect(spec.dataVolumeTemplates[0].spec.source).toEqual({ pvc: { name: 'golden', namespace: 'images' } });
  });

  test('the override given as a mapping behaves like the YAML text; the settings object is not modified', () => {
    const settings = kubevirt({
      configOverride: {
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachine',
        metadata: { name: '$KASM_NAME' },
        spec: { template: { spec: { domain: { devices: {} } } } },
      },
    });
    const first = applyVirtualMachineRules({ manifest: settings.configOverride as Record<string, unknown>, identity });
    expect((first.metadata as { name: string }).name).toBe(identity.name);
    expect((settings.configOverride as { metadata: { name: string } }).metadata.name).toBe('$KASM_NAME');
  });
});

describe('generated manifests', () => {
  test('KubeVirt: a DataVolume clones diskSourcePvc at diskSizeGb on storageClassName; pod network with masquerade', () => {
    const manifest = convertToKubevirtVirtualMachine({
      settings: kubevirt({ diskSourcePvc: 'ubuntu-focal', storageClassName: 'kasm-storage' }),
      identity,
    }) as Loose;
    expect(manifest.spec.dataVolumeTemplates).toEqual([
      {
        metadata: { name: `${identity.name}-disk`, labels: identity.labels },
        spec: {
          source: { pvc: { name: 'ubuntu-focal', namespace: 'kasm' } },
          storage: { resources: { requests: { storage: '30Gi' } }, storageClassName: 'kasm-storage' },
        },
      },
    ]);
    const templateSpec = manifest.spec.template.spec;
    expect(templateSpec.domain.cpu).toEqual({ cores: 4, sockets: 1, threads: 1 });
    expect(templateSpec.domain.memory).toEqual({ guest: '4096Mi' });
    expect(templateSpec.domain.devices.interfaces).toEqual([{ name: 'default', model: 'virtio', masquerade: {} }]);
    expect(templateSpec.networks).toEqual([{ name: 'default', pod: {} }]);
    expect(templateSpec.volumes[0]).toEqual({ name: 'root-disk', dataVolume: { name: `${identity.name}-disk` } });
    expect(templateSpec.domain).not.toHaveProperty('firmware');
  });

  test('KubeVirt: a containerDisk, multus network with bridge, EFI + secure boot (SMM) and TPM', () => {
    const manifest = convertToKubevirtVirtualMachine({
      settings: kubevirt({
        containerDiskImage: 'quay.io/containerdisks/ubuntu:22.04',
        networkType: 'multus',
        networkName: 'vlan-20',
        enableEfiBoot: true,
        enableSecureBoot: true,
        enableTpm: true,
      }),
      identity,
    }) as Loose;
    const templateSpec = manifest.spec.template.spec;
    expect(manifest.spec).not.toHaveProperty('dataVolumeTemplates');
    expect(templateSpec.volumes[0]).toEqual({
      name: 'root-disk',
      containerDisk: { image: 'quay.io/containerdisks/ubuntu:22.04' },
    });
    expect(templateSpec.networks).toEqual([{ name: 'nic-0', multus: { networkName: 'vlan-20' } }]);
    expect(templateSpec.domain.devices.interfaces).toEqual([{ name: 'nic-0', model: 'virtio', bridge: {} }]);
    expect(templateSpec.domain.firmware).toEqual({ bootloader: { efi: { secureBoot: true } } });
    expect(templateSpec.domain.features).toEqual({ smm: { enabled: true } });
    expect(templateSpec.domain.devices.tpm).toEqual({});
  });

  test('Harvester: a PVC template annotated with harvesterhci.io/imageId on longhorn-<image>; multus network namespace/name', () => {
    const manifest = convertToKubevirtVirtualMachine({
      settings: harvester({ diskImage: 'kasm-ubuntu-focal', networkType: 'multus', networkName: 'kasm-network' }),
      identity,
    }) as Loose;
    const claimTemplates = JSON.parse(manifest.metadata.annotations[HARVESTER_VOLUME_CLAIM_TEMPLATES_ANNOTATION]);
    expect(claimTemplates).toEqual([
      {
        metadata: {
          name: `${identity.name}-disk`,
          annotations: { [HARVESTER_IMAGE_ANNOTATION]: 'kasm/kasm-ubuntu-focal' },
          labels: identity.labels,
        },
        spec: {
          accessModes: ['ReadWriteMany'],
          volumeMode: 'Block',
          storageClassName: 'longhorn-kasm-ubuntu-focal',
          resources: { requests: { storage: '30Gi' } },
        },
      },
    ]);
    const templateSpec = manifest.spec.template.spec;
    expect(templateSpec.volumes[0]).toEqual({
      name: 'root-disk',
      persistentVolumeClaim: { claimName: `${identity.name}-disk` },
    });
    expect(templateSpec.networks).toEqual([{ name: 'nic-0', multus: { networkName: 'kasm/kasm-network' } }]);
  });

  test('Harvester: an image and a network in another namespace are kept as given', () => {
    const manifest = convertToKubevirtVirtualMachine({
      settings: harvester({ diskImage: 'images/win-2022', networkType: 'multus', networkName: 'shared/vlan-1' }),
      identity,
    }) as Loose;
    const [claim] = JSON.parse(manifest.metadata.annotations[HARVESTER_VOLUME_CLAIM_TEMPLATES_ANNOTATION]);
    expect(claim.metadata.annotations[HARVESTER_IMAGE_ANNOTATION]).toBe('images/win-2022');
    expect(claim.spec.storageClassName).toBe('longhorn-win-2022');
    expect(manifest.spec.template.spec.networks[0].multus.networkName).toBe('shared/vlan-1');
  });
});
