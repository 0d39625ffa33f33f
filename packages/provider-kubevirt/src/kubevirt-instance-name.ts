import { createHash } from 'node:crypto';
import { dnsLabelPattern } from './kubevirt-provider-settings.js';

/** Suffix of the cloud-init Secret of a VM (the seed's `f'{name}-secret'`). */
export const SECRET_NAME_SUFFIX = '-secret';
/** Suffix of the root disk (DataVolume or Harvester PVC) of a generated VM. */
export const DISK_NAME_SUFFIX = '-disk';

/**
 * The VM name of a create: the requested name when it is a DNS label (Headroom's names are
 * `<pool>-<autoscale>-<hash of the intent key>`), else a DNS label made of it plus 10 hex digits of
 * the idempotency key. The same intent always gets the same name, so a repeated create meets its
 * own VM (409) instead of starting a second one.
 */
export function deriveVirtualMachineName(options: { name: string; idempotencyKey: string }): string {
  if (dnsLabelPattern.test(options.name)) return options.name;
  const hash = createHash('sha256').update(options.idempotencyKey, 'utf8').digest('hex').slice(0, 10);
  const prefix = options.name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 52)
    .replace(/-+$/, '');
  return prefix ? `${prefix}-${hash}` : `vm-${hash}`;
}

/** The cloud-init Secret of a VM. */
export function secretNameOf(virtualMachineName: string): string {
  return `${virtualMachineName}${SECRET_NAME_SUFFIX}`;
}
