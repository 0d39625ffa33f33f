import { dnsConformanceSuite, providerConformanceSuite } from '@headroom/testkit';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { createAzureDnsProvider } from './azure-dns-provider.js';
import { createAzureProvider } from './azure-provider.js';

/**
 * Conformance against real Azure. Skipped unless HEADROOM_AZURE_LIVE=1. It creates and deletes
 * real (billed) VMs with their NICs and OS disks, tagged `headroom-managed-by=headroom-conformance-<run id>`.
 *
 *   HEADROOM_AZURE_LIVE=1 AZURE_SUBSCRIPTION_ID=… AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=… \
 *   HEADROOM_AZURE_RESOURCE_GROUP=headroom-ci HEADROOM_AZURE_REGION=eastus \
 *   HEADROOM_AZURE_SUBNET=/subscriptions/…/virtualNetworks/…/subnets/… \
 *   [HEADROOM_AZURE_VM_SIZE=Standard_B2s] [HEADROOM_AZURE_SSH_PUBLIC_KEY='ssh-ed25519 AAAA…'] \
 *   [HEADROOM_AZURE_DNS_RESOURCE_GROUP=… HEADROOM_AZURE_DNS_ZONE=agents.example.com] \
 *   pnpm vitest run packages/provider-azure/src/azure-provider.live.test.ts
 *
 * Without AZURE_CLIENT_ID the SDK's default chain is used (managed identity, Azure CLI).
 */
const live = process.env.HEADROOM_AZURE_LIVE === '1';
const runner = { describe, test, beforeAll, afterAll };
const timeoutMs = 900_000;
const settleTimeoutMs = 120_000;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} for the Azure live test`);
  return value;
}

describe.skipIf(!live)('azure live (real Resource Manager)', () => {
  providerConformanceSuite({
    name: 'azure live',
    runner,
    timeoutMs,
    settleTimeoutMs,
    createTarget: async () => {
      const provider = createAzureProvider({
        resourceGroup: required('HEADROOM_AZURE_RESOURCE_GROUP'),
        region: required('HEADROOM_AZURE_REGION'),
        subnet: required('HEADROOM_AZURE_SUBNET'),
        maxInstances: 5,
        vmSize: process.env.HEADROOM_AZURE_VM_SIZE ?? 'Standard_B2s',
        osDiskType: 'StandardSSD_LRS',
        imageReference: {
          publisher: 'Canonical',
          offer: '0001-com-ubuntu-server-jammy',
          sku: '22_04-lts-gen2',
          version: 'latest',
        },
        osUsername: 'headroom',
        sshPublicKey:
          process.env.HEADROOM_AZURE_SSH_PUBLIC_KEY ??
          'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHeadroomLiveTestKeyNotForLogin headroom@live',
        assignPublicIp: false,
        pollIntervalMs: 5000,
      });
      return {
        provider,
        shape: { cores: 0, memoryMb: 0, gpus: 0 },
        missingInstanceId: 'headroom-missing-vm',
        cleanup: () => provider.close(),
      };
    },
  });
});

describe.skipIf(!live || !process.env.HEADROOM_AZURE_DNS_ZONE)('azure live (real Azure DNS)', () => {
  dnsConformanceSuite({
    name: 'azure live',
    runner,
    timeoutMs: 120_000,
    settleTimeoutMs,
    createTarget: async () => {
      const dns = createAzureDnsProvider({ resourceGroup: required('HEADROOM_AZURE_DNS_RESOURCE_GROUP') });
      return { dns, zone: required('HEADROOM_AZURE_DNS_ZONE'), cleanup: () => dns.close() };
    },
  });
});
