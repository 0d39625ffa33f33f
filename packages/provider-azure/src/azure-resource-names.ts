import { createHash } from 'node:crypto';

/** Names of the resources one Headroom VM consists of, all derived from the VM name. */
export interface AzureResourceNames {
  virtualMachine: string;
  networkInterface: string;
  publicIpAddress: string;
  osDisk: string;
}

const validVmName = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,55}[A-Za-z0-9_])?$/;

function keyHash(idempotencyKey: string, length: number): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, length);
}

/**
 * The VM name of a create intent: the requested name when Azure accepts it (the reconciler's
 * names, `<pool>-<autoscale>-<hash of the key>`, always are), else the name made valid plus 8 hex
 * digits of the idempotency key. At most 57 characters, so `-osdisk` still fits in 64.
 */
export function toAzureVmName(options: { name: string; idempotencyKey: string }): string {
  if (validVmName.test(options.name)) return options.name;
  const prefix = options.name
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-.]+$/g, '')
    .slice(0, 48)
    .replace(/[-.]+$/, '');
  return `${prefix ? `${prefix}-` : 'hr-'}${keyHash(options.idempotencyKey, 8)}`;
}

/** The NIC, public IP and OS disk names of a VM. */
export function azureResourceNames(virtualMachine: string): AzureResourceNames {
  return {
    virtualMachine,
    networkInterface: `${virtualMachine}-nic`,
    publicIpAddress: `${virtualMachine}-ip`,
    osDisk: `${virtualMachine}-osdisk`,
  };
}

/**
 * The guest host name: the VM name with `.`/`_` made `-` (Linux, ≤ 64), or `h` and 14 hex digits
 * of the idempotency key on Windows (NetBIOS names are at most 15 characters).
 */
export function toAzureComputerName(options: { vmName: string; idempotencyKey: string; isWindows: boolean }): string {
  if (options.isWindows) return `h${keyHash(options.idempotencyKey, 14)}`;
  return options.vmName.replace(/[._]/g, '-').replace(/-+$/, '');
}
