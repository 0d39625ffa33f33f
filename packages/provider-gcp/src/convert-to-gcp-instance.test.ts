import { HEADROOM_TAGS } from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { readGcpExample } from './__fixtures__/gcp-example-settings.js';
import { convertToGcpInstance, convertToGcpRequestId, toGcpInstanceName } from './convert-to-gcp-instance.js';
import { gcpProviderSettingsSchema } from './gcp-provider-settings.js';

const example = readGcpExample();
const settingsOf = (id: string, extra: Record<string, unknown> = {}) =>
  gcpProviderSettingsSchema.parse({ ...example.providers[id], ...extra });
const tags = {
  [HEADROOM_TAGS.managedBy]: 'headroom-prod',
  [HEADROOM_TAGS.pool]: 'linux-agents',
  [HEADROOM_TAGS.autoscale]: 'business-hours',
  [HEADROOM_TAGS.intent]: 'hr-0123456789abcdef0123',
};
const expectedLabels = {
  team: 'platform',
  'cost-center': '4711',
  'headroom-managed-by': 'headroom-prod',
  'headroom-pool': 'linux-agents',
  'headroom-autoscale': 'business-hours',
  'headroom-intent': 'hr-0123456789abcdef0123',
};

describe('convertToGcpInstance: the Instance resource of the complete example, field by field', () => {
  const instance = convertToGcpInstance({
    settings: settingsOf('gcp-east'),
    name: 'linux-agents-business-hours-0a1b2c3d',
    tags,
    startupScript: '#!/bin/bash\necho hi\n',
  });

  test('name and machine type (zonal path)', () => {
    expect(instance.name).toBe('linux-agents-business-hours-0a1b2c3d');
    expect(instance.machineType).toBe('zones/us-east4-b/machineTypes/e2-standard-4');
  });

  test('boot disk: image, size, disk type, CMEK, labels, auto-delete', () => {
    expect(instance.disks).toEqual([
      {
        boot: true,
        autoDelete: true,
        type: 'PERSISTENT',
        mode: 'READ_WRITE',
        initializeParams: {
          sourceImage: 'projects/ubuntu-os-cloud/global/images/family/ubuntu-2204-lts',
          diskSizeGb: 100,
          diskType: 'zones/us-east4-b/diskTypes/pd-ssd',
          labels: expectedLabels,
        },
        diskEncryptionKey: {
          kmsKeyName: 'projects/pensive-voice-547511/locations/us-east4/keyRings/headroom/cryptoKeys/agents',
        },
      },
    ]);
  });

  test('network, subnetwork and the public IP access config', () => {
    expect(instance.networkInterfaces).toEqual([
      {
        network: 'projects/pensive-voice-547511/global/networks/default',
        subnetwork: 'projects/pensive-voice-547511/regions/us-east4/subnetworks/default',
        accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }],
      },
    ]);
  });

  test('network tags, labels with the headroom tags, service account', () => {
    expect(instance.tags).toEqual({ items: ['headroom-agent', 'allow-https'] });
    expect(instance.labels).toEqual(expectedLabels);
    expect(instance.serviceAccounts).toEqual([
      {
        email: 'headroom-agent@pensive-voice-547511.iam.gserviceaccount.com',
        scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      },
    ]);
  });

  test('metadata: configured items, then the startup script under startup-script', () => {
    expect(instance.metadata).toEqual({
      items: [
        { key: 'enable-oslogin', value: 'TRUE' },
        { key: 'startup-script', value: '#!/bin/bash\necho hi\n' },
      ],
    });
  });

  test('configOverride is deep-merged; no accelerators means no forced host-maintenance policy', () => {
    expect(instance.shieldedInstanceConfig).toEqual({ enableSecureBoot: true, enableVtpm: true });
    expect(instance.scheduling).toEqual({ provisioningModel: 'STANDARD' });
    expect(instance.guestAccelerators).toBeUndefined();
  });
});

describe('convertToGcpInstance: accelerators, Windows and overrides', () => {
  test('guest accelerators become zonal accelerator types and force onHostMaintenance TERMINATE', () => {
    const instance = convertToGcpInstance({
      settings: settingsOf('gcp-gpu'),
      name: 'gpu-1',
      tags,
      startupScript: undefined,
    });
    expect(instance.guestAccelerators).toEqual([
      { acceleratorType: 'zones/us-east4-a/acceleratorTypes/nvidia-tesla-t4', acceleratorCount: 1 },
    ]);
    expect(instance.scheduling).toEqual({ onHostMaintenance: 'TERMINATE', automaticRestart: true });
    expect(instance.networkInterfaces).toEqual([{}]);
    expect(instance.metadata).toEqual({ items: [] });
  });

  test('an override may refine scheduling of a GPU instance but keeps what it does not name', () => {
    const instance = convertToGcpInstance({
      settings: settingsOf('gcp-gpu', { configOverride: { scheduling: { preemptible: true } } }),
      name: 'gpu-2',
      tags,
      startupScript: undefined,
    });
    expect(instance.scheduling).toEqual({ onHostMaintenance: 'TERMINATE', automaticRestart: true, preemptible: true });
  });

  test('windows with powershell puts the script under windows-startup-script-ps1', () => {
    const instance = convertToGcpInstance({
      settings: settingsOf('gcp-windows'),
      name: 'rdp-1',
      tags,
      startupScript: 'Write-Host hi',
    });
    expect(instance.metadata).toEqual({ items: [{ key: 'windows-startup-script-ps1', value: 'Write-Host hi' }] });
  });

  test('osType windows without startupScriptType defaults to powershell', () => {
    const settings = settingsOf('gcp-windows');
    delete (settings as { startupScriptType?: unknown }).startupScriptType;
    const instance = convertToGcpInstance({ settings, name: 'rdp-2', tags, startupScript: 'x' });
    expect(instance.metadata?.items?.[0]?.key).toBe('windows-startup-script-ps1');
  });

  test('disks replaced by the override still get the labels, and tags that need hashing go to metadata', () => {
    const longPool = `Pool.${'A'.repeat(70)}`;
    const instance = convertToGcpInstance({
      settings: settingsOf('gcp-gpu', {
        configOverride: {
          disks: [
            { boot: true, initializeParams: { sourceImage: 'global/images/x', labels: { keep: 'me' } } },
            { source: 'zones/us-east4-a/disks/shared', mode: 'READ_ONLY' },
          ],
        },
      }),
      name: 'gpu-3',
      tags: { ...tags, [HEADROOM_TAGS.pool]: longPool },
      startupScript: undefined,
    });
    const disks = instance.disks as { initializeParams?: { labels?: Record<string, string> } }[];
    expect(disks[0]?.initializeParams?.labels).toMatchObject({
      keep: 'me',
      'headroom-intent': 'hr-0123456789abcdef0123',
    });
    expect(disks[0]?.initializeParams?.labels?.['headroom-pool']).toMatch(/^h_[0-9a-f]{32}$/);
    expect(disks[1]).toEqual({ source: 'zones/us-east4-a/disks/shared', mode: 'READ_ONLY' });
    expect(instance.metadata).toEqual({
      items: [{ key: 'headroom-tags', value: JSON.stringify({ 'headroom-pool': longPool }) }],
    });
  });

  test('a startup script above 256 KiB is refused naming startupScript', () => {
    expect(() =>
      convertToGcpInstance({ settings: settingsOf('gcp-gpu'), name: 'x', tags, startupScript: 'x'.repeat(262_145) }),
    ).toThrow(/startupScript: is larger than 256 KiB/);
  });
});

describe('request ids and names', () => {
  test('requestId is a UUID derived from the idempotency key and the purpose', () => {
    const insert = convertToGcpRequestId({ idempotencyKey: 'hr-1', purpose: 'insert' });
    expect(insert).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(convertToGcpRequestId({ idempotencyKey: 'hr-1', purpose: 'insert' })).toBe(insert);
    expect(convertToGcpRequestId({ idempotencyKey: 'hr-2', purpose: 'insert' })).not.toBe(insert);
    expect(convertToGcpRequestId({ idempotencyKey: 'hr-1', purpose: 'delete' })).not.toBe(insert);
  });

  test('instance names: valid names are kept, others made valid', () => {
    expect(toGcpInstanceName('linux-agents-bh-0a1b2c3d')).toBe('linux-agents-bh-0a1b2c3d');
    expect(toGcpInstanceName('1pool-x-0a1b2c3d')).toBe('h-1pool-x-0a1b2c3d');
    expect(toGcpInstanceName('Pool_A-x')).toBe('pool-a-x');
    expect(toGcpInstanceName(`a${'-'.repeat(70)}`)).toBe('a');
  });
});
