import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { repositoryRoot, runCli } from '../run-cli.js';

const temporary = mkdtempSync(join(tmpdir(), 'headroom-azure-validate-'));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));

describe('headroom validate: azure', () => {
  test('the complete example config is valid', () => {
    const result = runCli(['validate', '--config', 'examples/providers/azure.yaml']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 provider, 1 DNS provider');
  });

  test('bad Azure fields: exit 2, every issue by path, no stack trace', () => {
    const example = readFileSync(join(repositoryRoot, 'examples/providers/azure.yaml'), 'utf8');
    const bad = example
      .replace(
        'subscriptionId: 00000000-1111-2222-3333-444444444444\n    resourceGroup: headroom-agents',
        'subscriptionId: not-a-guid\n    resourceGroup: headroom-agents',
      )
      .replace(
        'azureAuthority: azure-public-cloud\n    region: eastus\n    maxInstances',
        'azureAuthority: azure-germany\n    region: East US\n    maxInstances',
      )
      .replace('vmSize: Standard_D4s_v5', 'vmSize: d4s')
      .replace('osDiskType: Premium_LRS', 'osDiskType: Premium_GRS')
      .replace('osDiskSizeGb: 64', 'osDiskSizeGb: 0')
      .replace('      sku: 22_04-lts-gen2\n', '')
      .replace('subnets/agents', 'subnets')
      .replace('osUsername: headroom', 'osUsername: admin')
      .replace('      securityProfile:', '      vmSizeOverride: x\n      securityProfile:')
      .replace('    zoneName: example.com', '    zoneName: "bad zone"\n    hostedZoneId: Z123');
    const path = join(temporary, 'bad-azure.yaml');
    writeFileSync(path, bad);
    const result = runCli(['validate', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const expected = [
      'providers.azure-east.subscriptionId: must be a GUID',
      'providers.azure-east.azureAuthority: Azure Germany',
      'providers.azure-east.region: must be an Azure region name',
      'providers.azure-east.vmSize: must be a VM size',
      'providers.azure-east.osDiskType: must be one of',
      'providers.azure-east.osDiskSizeGb: must be ≥ 1',
      'providers.azure-east.imageReference: must be a marketplace reference',
      'providers.azure-east.subnet: must be the resource id of a subnet',
      'providers.azure-east.osUsername: is a username Azure reserves',
      'providers.azure-east.configOverride.vmSizeOverride: is not a VirtualMachine member',
      'dnsProviders.azure-dns.zoneName: must be a DNS zone name',
      'dnsProviders.azure-dns.hostedZoneId: unknown field',
    ];
    for (const line of expected) expect(result.stderr).toContain(line);
    expect(result.stderr).toContain(`(${expected.length} problems)`);
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
