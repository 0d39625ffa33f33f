import type { AutoscaleEntry } from '../config/config-views.js';
import type { ComputerRecordDirectory } from '../directory/computer-record-directory.js';
import { DirectoryError } from '../errors/directory-error.js';
import type { ComputerRecordRef } from '../store/state-store.js';
import type { TickContext } from './tick-context.js';

/** Where an autoscale config's computer records go. */
export interface ComputerRecordTarget {
  ldapConfig: string;
  ouDn: string;
  domain: string | undefined;
  directory: ComputerRecordDirectory;
}

/**
 * The directory and OU of a server autoscale config with `activeDirectory.createComputerRecord`,
 * undefined for any other config.
 * @throws DirectoryError when the config's LDAP config has no directory (none was passed to the autoscaler).
 */
export function computerRecordTargetOf(context: TickContext, entry: AutoscaleEntry): ComputerRecordTarget | undefined {
  if (entry.kind !== 'server') return undefined;
  const settings = entry.autoscale.activeDirectory;
  if (!settings?.createComputerRecord || !settings.ldapConfig || !settings.computerOuDn) return undefined;
  const directory = context.runtime.directories.get(settings.ldapConfig);
  if (!directory) {
    throw new DirectoryError({
      directory: settings.ldapConfig,
      problem: 'unavailable',
      message: `no directory for LDAP config ${settings.ldapConfig} was given to the autoscaler`,
    });
  }
  return { ldapConfig: settings.ldapConfig, ouDn: settings.computerOuDn, domain: settings.domain, directory };
}

/** Deletes a computer record (gone = success) and reports it in `actions.computerRecordsDeleted`. */
export async function deleteComputerRecord(context: TickContext, record: ComputerRecordRef): Promise<void> {
  const directory = context.runtime.directories.get(record.ldapConfig);
  if (!directory) {
    throw new DirectoryError({
      directory: record.ldapConfig,
      problem: 'unavailable',
      message: `cannot delete ${record.dn}: no directory for LDAP config ${record.ldapConfig}`,
    });
  }
  await directory.deleteComputerRecord({ dn: record.dn });
  context.actions.computerRecordsDeleted.push(record.dn);
}
