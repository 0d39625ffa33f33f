import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { azureDnsProviderSettingsSchema, azureProviderSettingsSchema } from './azure-provider-settings.js';
import { toAzureComputerName, toAzureVmName } from './azure-resource-names.js';
import { convertToAzureVirtualMachine, deepMerge } from './convert-to-azure-virtual-machine.js';

const exampleUrl = new URL('../../../examples/providers/azure.yaml', import.meta.url);

async function example(): Promise<{
  providers: Record<string, Record<string, unknown>>;
  dnsProviders: Record<string, Record<string, unknown>>;
}> {
  return parse(await readFile(exampleUrl, 'utf8'));
}

const issuePaths = (result: { error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.error?.issues.map((issue) => issue.path.map(String).join('.')) ?? [];

describe('azureProviderSettingsSchema', () => {
  test('accepts the example config and applies defaults', async () => {
    const { providers, dnsProviders } = await example();
    const parsed = azureProviderSettingsSchema.parse(providers['azure-east']);
    expect(parsed).toMatchObject({
      clientSecret: { env: 'AZURE_CLIENT_SECRET' },
      osPassword: { file: '/run/secrets/azure-vm-password' },
      imageReference: { publisher: 'Canonical', version: 'latest' },
      tags: { team: 'vdi', 'cost-center': '4711' },
      pollIntervalMs: 2000,
    });
    expect(azureDnsProviderSettingsSchema.parse(dnsProviders['azure-dns']).zoneName).toBe('example.com');
    const minimal = azureProviderSettingsSchema.parse({
      resourceGroup: 'rg',
      region: 'westeurope',
      maxInstances: 1,
      vmSize: 'Standard_B2s',
      imageReference: { publisher: 'p', offer: 'o', sku: 's' },
      subnet:
        '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v/subnets/s',
      osUsername: 'headroom',
      sshPublicKey: 'ssh-rsa AAAAB3Nza headroom',
    });
    expect(minimal).toMatchObject({
      azureAuthority: 'azure-public-cloud',
      osDiskType: 'StandardSSD_LRS',
      isWindows: false,
      assignPublicIp: false,
      tags: {},
      imageReference: { version: 'latest' },
    });
  });

  test('Windows needs a password and a short username; Linux needs a key or a password', async () => {
    const { providers } = await example();
    const base = providers['azure-east'] as Record<string, unknown>;
    const windows = azureProviderSettingsSchema.safeParse({
      ...base,
      isWindows: true,
      osPassword: undefined,
      osUsername: 'a-very-long-windows-username',
    });
    expect(issuePaths(windows)).toEqual(['osPassword', 'osUsername', 'sshPublicKey']);
    const linux = azureProviderSettingsSchema.safeParse({ ...base, osPassword: undefined, sshPublicKey: undefined });
    expect(issuePaths(linux)).toEqual(['sshPublicKey']);
  });

  test('refuses reserved tags, unknown override members and unknown fields, each by path', async () => {
    const { providers } = await example();
    const result = azureProviderSettingsSchema.safeParse({
      ...providers['azure-east'],
      tags: { 'headroom-pool': 'x', 'microsoft.owner': 'y', 'a/b': 'z' },
      configOverride: { properties: { osProfile: {}, bogus: 1 }, nope: true },
      gpuCount: 1,
    });
    expect(issuePaths(result).sort()).toEqual(
      [
        '',
        'configOverride.nope',
        'configOverride.properties.bogus',
        'tags.a/b',
        'tags.headroom-pool',
        'tags.microsoft.owner',
      ].sort(),
    );
  });
});

describe('convertToAzureVirtualMachine', () => {
  test('configOverride merges deep, a portal-style properties object is lifted, Headroom keeps its members', async () => {
    const { providers } = await example();
    const settings = azureProviderSettingsSchema.parse({
      ...providers['azure-east'],
      configOverride: {
        properties: { storageProfile: { osDisk: { caching: 'ReadOnly', name: 'stolen', deleteOption: 'Detach' } } },
        hardwareProfile: { vmSize: 'Standard_D8s_v5' },
        tags: { team: 'override' },
        networkProfile: { networkInterfaces: [{ id: 'other' }] },
      },
    });
    const request = convertToAzureVirtualMachine({
      settings,
      computerName: 'vm-1',
      osDiskName: 'vm-1-osdisk',
      networkInterfaceId: '/nic',
      tags: { 'headroom-pool': 'p' },
      customData: undefined,
      adminPassword: 'pw',
    }) as unknown as Record<string, Record<string, unknown>>;
    expect(request.hardwareProfile).toEqual({ vmSize: 'Standard_D8s_v5' });
    expect((request.storageProfile as Record<string, unknown>).osDisk).toEqual({
      createOption: 'FromImage',
      caching: 'ReadOnly',
      managedDisk: { storageAccountType: 'Premium_LRS' },
      diskSizeGB: 64,
      name: 'vm-1-osdisk',
      deleteOption: 'Delete',
    });
    expect(request.tags).toEqual({ 'headroom-pool': 'p' });
    expect(request.networkProfile).toEqual({
      networkInterfaces: [{ id: '/nic', primary: true, deleteOption: 'Delete' }],
    });
    expect(
      (request.osProfile as Record<string, Record<string, unknown>>).linuxConfiguration?.disablePasswordAuthentication,
    ).toBe(false);
  });

  test('deepMerge: objects merge, arrays and values replace, inputs stay unchanged', () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 'x' };
    const merged = deepMerge(base, { a: { c: [3] }, d: 'y' });
    expect(merged).toEqual({ a: { b: 1, c: [3] }, d: 'y' });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: 'x' });
  });
});

describe('resource names', () => {
  test('valid names are kept; others are made valid and keyed by the idempotency key', () => {
    expect(toAzureVmName({ name: 'agents-day-0123abcd', idempotencyKey: 'k' })).toBe('agents-day-0123abcd');
    const derived = toAzureVmName({ name: 'bad name!'.repeat(10), idempotencyKey: 'hr-1' });
    expect(derived).toMatch(/^bad-name-[\w-]*-[0-9a-f]{8}$/);
    expect(derived.length).toBeLessThanOrEqual(57);
    expect(toAzureVmName({ name: 'bad name!'.repeat(10), idempotencyKey: 'hr-2' })).not.toBe(derived);
    expect(toAzureComputerName({ vmName: 'a.b_c', idempotencyKey: 'k', isWindows: false })).toBe('a-b-c');
    expect(toAzureComputerName({ vmName: 'a', idempotencyKey: 'k', isWindows: true })).toMatch(/^h[0-9a-f]{14}$/);
  });
});

describe('README', () => {
  test('shows the example config verbatim', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const block = readme.match(/<!-- azure-example:start -->\n```yaml\n([\s\S]*?)```\n<!-- azure-example:end -->/);
    expect(block?.[1]).toBe(await readFile(exampleUrl, 'utf8'));
  });
});
