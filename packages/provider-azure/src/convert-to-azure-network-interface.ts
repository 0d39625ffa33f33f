import type { NetworkInterface, PublicIPAddress } from '@azure/arm-network';
import type { AzureProviderParsedSettings } from './azure-provider-settings.js';

/** The Standard, static, IPv4 public IP of one VM (tagged like the VM). */
export function convertToAzurePublicIpAddress(options: {
  settings: Pick<AzureProviderParsedSettings, 'region'>;
  tags: Record<string, string>;
}): PublicIPAddress {
  return {
    location: options.settings.region,
    tags: options.tags,
    sku: { name: 'Standard', tier: 'Regional' },
    publicIPAllocationMethod: 'Static',
    publicIPAddressVersion: 'IPv4',
  };
}

/** The NIC of one VM: one dynamic private IP in the subnet, the NSG and the public IP when set. */
export function convertToAzureNetworkInterface(options: {
  settings: Pick<AzureProviderParsedSettings, 'region' | 'subnet' | 'networkSecurityGroup'>;
  tags: Record<string, string>;
  publicIpAddressId: string | undefined;
}): NetworkInterface {
  const { settings, tags, publicIpAddressId } = options;
  return {
    location: settings.region,
    tags,
    ipConfigurations: [
      {
        name: 'ipconfig1',
        primary: true,
        privateIPAllocationMethod: 'Dynamic',
        privateIPAddressVersion: 'IPv4',
        subnet: { id: settings.subnet },
        ...(publicIpAddressId ? { publicIPAddress: { id: publicIpAddressId } } : {}),
      },
    ],
    ...(settings.networkSecurityGroup ? { networkSecurityGroup: { id: settings.networkSecurityGroup } } : {}),
  };
}
