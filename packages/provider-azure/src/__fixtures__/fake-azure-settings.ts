import { FAKE_AZURE_DEFAULTS, type FakeAzureServer, fakeAzureIds } from '../../test/fake-azure-server.js';
import type { AzureDnsProviderSettings, AzureProviderSettings } from '../azure-provider-settings.js';

/** Connection settings that reach the fake through the SDKs' endpoint and authority options. */
export function fakeAzureConnection(server: FakeAzureServer) {
  return {
    subscriptionId: FAKE_AZURE_DEFAULTS.subscriptionId,
    resourceGroup: FAKE_AZURE_DEFAULTS.resourceGroup,
    tenantId: FAKE_AZURE_DEFAULTS.tenantId,
    clientId: FAKE_AZURE_DEFAULTS.clientId,
    clientSecret: FAKE_AZURE_DEFAULTS.clientSecret,
    endpoint: server.url,
    authorityHost: server.url,
  };
}

/** A complete Linux pool config against the fake. */
export function fakeAzureProviderSettings(
  server: FakeAzureServer,
  overrides: Partial<AzureProviderSettings> = {},
): AzureProviderSettings {
  return {
    ...fakeAzureConnection(server),
    region: FAKE_AZURE_DEFAULTS.region,
    maxInstances: 20,
    vmSize: 'Standard_D2s_v5',
    osDiskType: 'Premium_LRS',
    osDiskSizeGb: 64,
    imageReference: {
      publisher: 'Canonical',
      offer: '0001-com-ubuntu-server-jammy',
      sku: '22_04-lts-gen2',
      version: 'latest',
    },
    networkSecurityGroup: fakeAzureIds.networkSecurityGroup,
    subnet: fakeAzureIds.subnet,
    assignPublicIp: true,
    tags: { team: 'vdi' },
    osUsername: 'headroom',
    sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHeadroomTestKeyOnly headroom@test',
    pollIntervalMs: 10,
    ...overrides,
  };
}

export function fakeAzureDnsSettings(
  server: FakeAzureServer,
  overrides: Partial<AzureDnsProviderSettings> = {},
): AzureDnsProviderSettings {
  return { ...fakeAzureConnection(server), ...overrides };
}
