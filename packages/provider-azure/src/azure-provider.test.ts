import {
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
  type Timers,
} from '@headroom/core/provider';
import { captureRejection } from '@headroom/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  FAKE_AZURE_DEFAULTS,
  FAKE_AZURE_VM_PUT_ROUTE,
  type FakeAzureServer,
  fakeAzureIds,
  startFakeAzureServer,
} from '../test/fake-azure-server.js';
import { fakeAzureProviderSettings } from './__fixtures__/fake-azure-settings.js';
import { createAzureProvider } from './azure-provider.js';
import type { AzureProviderSettings } from './azure-provider-settings.js';

const tags = {
  'headroom-managed-by': 'headroom-test',
  'headroom-pool': 'agents',
  'headroom-autoscale': 'day',
  'headroom-intent': 'hr-0123456789abcdef0123',
};
const shape = { cores: 2, memoryMb: 8192, gpus: 0 };
let server: FakeAzureServer;
let sequence = 0;

/** Timers that record every sleep and resolve at once. */
function recordingTimers(): Timers & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    async sleep(ms, abortSignal) {
      abortSignal?.throwIfAborted();
      sleeps.push(ms);
    },
  };
}

function nextCreate() {
  sequence += 1;
  const idempotencyKey = `hr-test-${sequence}`;
  return {
    name: `agents-day-${sequence}`,
    idempotencyKey,
    tags: { ...tags, 'headroom-intent': idempotencyKey },
    shape,
  };
}

const rejection = (promise: Promise<unknown>) => captureRejection(promise, 'the call');

function provider(overrides: Partial<AzureProviderSettings> = {}) {
  return createAzureProvider(fakeAzureProviderSettings(server, overrides));
}

beforeAll(async () => {
  server = await startFakeAzureServer();
});
afterAll(async () => {
  await server.close();
});

describe('request shape (what reaches Resource Manager, field by field)', () => {
  test('a full Linux config: public IP, NIC, VM and OS disk tags', async () => {
    const timers = recordingTimers();
    const azure = provider({
      timers,
      configOverride: { properties: { priority: 'Spot', evictionPolicy: 'Delete' }, zones: ['2'] },
    });
    const create = nextCreate();
    const instance = await azure.createInstance({ ...create, startupScript: '#!/bin/sh\necho hi\n' });
    const expectedTags = { team: 'vdi', ...create.tags };
    const name = create.name;

    const publicIpPut = server.api.requests.find(
      (request) => request.method === 'PUT' && request.path.endsWith(`/publicIPAddresses/${name}-ip`),
    );
    expect(publicIpPut?.body).toEqual({
      location: 'eastus',
      tags: expectedTags,
      sku: { name: 'Standard', tier: 'Regional' },
      properties: { publicIPAllocationMethod: 'Static', publicIPAddressVersion: 'IPv4' },
    });
    const nicPut = server.api.requests.find(
      (request) => request.method === 'PUT' && request.path.endsWith(`/networkInterfaces/${name}-nic`),
    );
    expect(nicPut?.body).toEqual({
      location: 'eastus',
      tags: expectedTags,
      properties: {
        ipConfigurations: [
          {
            name: 'ipconfig1',
            properties: {
              primary: true,
              privateIPAllocationMethod: 'Dynamic',
              privateIPAddressVersion: 'IPv4',
              // The SDK's serializer adds the empty `properties` of the subnet reference.
              subnet: { id: fakeAzureIds.subnet, properties: {} },
              publicIPAddress: { id: server.publicIpAddresses.get(`${name}-ip`)?.id },
            },
          },
        ],
        networkSecurityGroup: { id: fakeAzureIds.networkSecurityGroup },
      },
    });
    const vmPut = server.virtualMachineRequests.at(-1) as Record<string, unknown>;
    expect(vmPut).toEqual({
      location: 'eastus',
      tags: expectedTags,
      zones: ['2'],
      properties: {
        hardwareProfile: { vmSize: 'Standard_D2s_v5' },
        storageProfile: {
          imageReference: {
            publisher: 'Canonical',
            offer: '0001-com-ubuntu-server-jammy',
            sku: '22_04-lts-gen2',
            version: 'latest',
          },
          osDisk: {
            name: `${name}-osdisk`,
            createOption: 'FromImage',
            caching: 'ReadWrite',
            diskSizeGB: 64,
            managedDisk: { storageAccountType: 'Premium_LRS' },
            deleteOption: 'Delete',
          },
        },
        osProfile: {
          computerName: name,
          adminUsername: 'headroom',
          customData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
          linuxConfiguration: {
            disablePasswordAuthentication: true,
            provisionVMAgent: true,
            ssh: {
              publicKeys: [
                {
                  path: '/home/headroom/.ssh/authorized_keys',
                  keyData: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHeadroomTestKeyOnly headroom@test',
                },
              ],
            },
          },
        },
        networkProfile: {
          networkInterfaces: [
            {
              id: server.networkInterfaces.get(`${name}-nic`)?.id,
              properties: { primary: true, deleteOption: 'Delete' },
            },
          ],
        },
        priority: 'Spot',
        evictionPolicy: 'Delete',
      },
    });
    expect(server.disks.get(`${name}-osdisk`)?.tags).toEqual(expectedTags);
    expect(instance).toMatchObject({
      instanceId: name,
      name,
      state: 'running',
      tags: expectedTags,
      shape,
      privateAddress: expect.stringMatching(/^10\.0\.0\.\d+$/),
      publicAddress: expect.stringMatching(/^20\.62\.0\.\d+$/),
    });
    expect(Date.parse(instance.createdAt ?? '')).not.toBeNaN();
    // Long-running operations wait on the injected timers, at the configured interval.
    expect(timers.sleeps.length).toBeGreaterThanOrEqual(3);
    expect(new Set(timers.sleeps)).toEqual(new Set([10]));
  });

  test('Windows: password, 15-character computer name, no public IP, gallery image, default disk', async () => {
    const azure = provider({
      isWindows: true,
      osPassword: 'Sup3r-Secret-Passw0rd!',
      sshPublicKey: undefined,
      assignPublicIp: false,
      networkSecurityGroup: undefined,
      imageReference: { id: fakeAzureIds.galleryImage },
      osDiskSizeGb: undefined,
      osDiskType: undefined,
      tags: {},
    });
    const create = nextCreate();
    const instance = await azure.createInstance(create);
    const properties = (server.virtualMachineRequests.at(-1) as { properties: Record<string, Record<string, unknown>> })
      .properties;
    expect(properties.osProfile).toEqual({
      computerName: expect.stringMatching(/^h[0-9a-f]{14}$/),
      adminUsername: 'headroom',
      adminPassword: 'Sup3r-Secret-Passw0rd!',
      windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true },
    });
    expect(properties.storageProfile).toEqual({
      imageReference: { id: fakeAzureIds.galleryImage },
      osDisk: {
        name: `${create.name}-osdisk`,
        createOption: 'FromImage',
        caching: 'ReadWrite',
        managedDisk: { storageAccountType: 'StandardSSD_LRS' },
        deleteOption: 'Delete',
      },
    });
    expect(server.publicIpAddresses.has(`${create.name}-ip`)).toBe(false);
    expect(instance.publicAddress).toBeUndefined();
    // The stored VM never echoes the password back, and the connection secret is the configured one.
    expect(JSON.stringify(server.virtualMachines.get(create.name))).not.toContain('Sup3r-Secret');
    expect(await azure.retrieveConnectionSecret?.({ instanceId: instance.instanceId })).toBe('Sup3r-Secret-Passw0rd!');
  });
});

describe('lifecycle', () => {
  test('destroy removes the VM, its NIC, its public IP and its OS disk', async () => {
    const azure = provider();
    const create = nextCreate();
    await azure.createInstance(create);
    for (const map of [server.virtualMachines, server.networkInterfaces, server.publicIpAddresses, server.disks]) {
      expect([...map.keys()].some((key) => key.startsWith(create.name))).toBe(true);
    }
    await azure.destroyInstance({ instanceId: create.name });
    for (const map of [server.virtualMachines, server.networkInterfaces, server.publicIpAddresses, server.disks]) {
      expect([...map.keys()].filter((key) => key.startsWith(create.name))).toEqual([]);
    }
  });

  test('a repeated create finds the VM by name and intent tag and sends no second PUT', async () => {
    const azure = provider();
    const create = nextCreate();
    const first = await azure.createInstance(create);
    const puts = server.virtualMachineRequests.length;
    const second = await azure.createInstance(create);
    expect(second).toEqual(first);
    expect(server.virtualMachineRequests.length).toBe(puts);
    const other = await rejection(azure.createInstance({ ...create, idempotencyKey: 'hr-another-intent' }));
    expect(ProviderApiError.isInstance(other) && other.code).toBe('VmNameTaken');
  });

  test('listInstances reports addresses and the size shape across pages', async () => {
    const azure = provider();
    const create = nextCreate();
    await azure.createInstance(create);
    const [listed] = await azure.listInstances({ tags: { 'headroom-intent': create.idempotencyKey } });
    expect(listed).toMatchObject({
      instanceId: create.name,
      shape: { cores: 2, memoryMb: 8192, gpus: 0 },
      privateAddress: expect.stringMatching(/^10\./),
      publicAddress: expect.stringMatching(/^20\./),
    });
  });
});

describe('errors', () => {
  test('an allocation failure after the VM was accepted is a capacity error, and nothing is left behind', async () => {
    const azure = provider();
    server.failNextVirtualMachineOperation({
      code: 'AllocationFailed',
      message: 'Allocation failed. We do not have sufficient capacity for the requested VM size in this region.',
    });
    const create = nextCreate();
    const error = await rejection(azure.createInstance(create));
    expect(InsufficientCapacityError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('AllocationFailed');
    for (const map of [server.virtualMachines, server.networkInterfaces, server.publicIpAddresses, server.disks]) {
      expect([...map.keys()].filter((key) => key.startsWith(create.name))).toEqual([]);
    }
  });

  test('ZonalAllocationFailed is a capacity error; a quota refusal is a quota error', async () => {
    const azure = provider();
    server.failNextVirtualMachineOperation({ code: 'ZonalAllocationFailed', message: 'Allocation failed in zone 2.' });
    expect(InsufficientCapacityError.isInstance(await rejection(azure.createInstance(nextCreate())))).toBe(true);
    server.api.failNext({ route: FAKE_AZURE_VM_PUT_ROUTE, fault: 'quota-exceeded' });
    expect(QuotaExceededError.isInstance(await rejection(azure.createInstance(nextCreate())))).toBe(true);
  });

  test('throttling is retryable and carries Retry-After; the SDK does not retry by itself', async () => {
    const azure = provider();
    server.api.failNext({ route: FAKE_AZURE_VM_PUT_ROUTE, fault: 'throttled' });
    const before = server.api.requests.length;
    const error = await rejection(azure.createInstance(nextCreate()));
    expect(ProviderApiError.isInstance(error)).toBe(true);
    const apiError = error as ProviderApiError;
    expect(apiError.isRetryable).toBe(true);
    expect(apiError.statusCode).toBe(429);
    expect(apiError.message).toContain('Retry-After 17 s');
    const vmPuts = server.api.requests.slice(before).filter((request) => request.route === FAKE_AZURE_VM_PUT_ROUTE);
    expect(vmPuts.length).toBe(1);
  });

  test('a bad image, subnet or NSG is a config error naming the setting', async () => {
    const image = await rejection(
      provider({ imageReference: { publisher: 'Nope', offer: 'nope', sku: 'nope', version: 'latest' } }).createInstance(
        nextCreate(),
      ),
    );
    expect(InvalidProviderConfigError.isInstance(image) && image.field).toBe('imageReference');
    const subnet = await rejection(
      provider({ subnet: fakeAzureIds.subnet.replace('/agents', '/missing') }).createInstance(nextCreate()),
    );
    expect(InvalidProviderConfigError.isInstance(subnet) && subnet.field).toBe('subnet');
    const nsg = await rejection(
      provider({
        networkSecurityGroup: fakeAzureIds.networkSecurityGroup.replace('headroom-nsg', 'missing'),
      }).createInstance(nextCreate()),
    );
    expect(InvalidProviderConfigError.isInstance(nsg) && nsg.field).toBe('networkSecurityGroup');
  });

  test('a wrong client secret is a config error naming clientSecret, without the secret', async () => {
    const error = await rejection(provider({ clientSecret: 'wrong-secret-value' }).listInstances({ tags }));
    expect(InvalidProviderConfigError.isInstance(error) && error.field).toBe('clientSecret');
    expect((error as Error).message).not.toContain('wrong-secret-value');
  });

  test('an oversized startup script is refused before any call', async () => {
    const before = server.api.requests.length;
    const error = await rejection(provider().createInstance({ ...nextCreate(), startupScript: 'x'.repeat(65_536) }));
    expect(InvalidProviderConfigError.isInstance(error) && error.field).toBe('startupScript');
    expect(server.api.requests.length).toBe(before);
  });

  test('settings are checked when the provider is created', () => {
    expect(() => createAzureProvider({ ...fakeAzureProviderSettings(server), vmSize: 'huge' })).toThrow(/vmSize/);
    expect(FAKE_AZURE_DEFAULTS.region).toBe('eastus');
  });
});
