import { readFile } from 'node:fs/promises';
import { createActiveDirectoryComputerRecords } from '@headroom/active-directory';
import type { ComputerRecordDirectory, HeadroomConfig } from '@headroom/core';
import { InvalidProviderConfigError, resolveSecret, resolveSecretPath } from '@headroom/core/provider';

/**
 * A directory for each `ldapConfigs` entry an autoscale config creates computer records with, its
 * bind password resolved and its CA file read (paths relative to `baseDirectory`). Entries no
 * config uses are not opened.
 * @throws InvalidProviderConfigError naming `ldapConfigs.<id>.<field>` (never the secret).
 */
export async function createDirectories(options: {
  config: HeadroomConfig;
  baseDirectory?: string;
}): Promise<Record<string, ComputerRecordDirectory>> {
  const used = new Set<string>();
  for (const pool of options.config.pools) {
    if (pool.kind !== 'server') continue;
    for (const autoscale of pool.autoscale) {
      const directory = autoscale.activeDirectory;
      if (directory?.createComputerRecord && directory.ldapConfig) used.add(directory.ldapConfig);
    }
  }
  const directories: Record<string, ComputerRecordDirectory> = {};
  for (const id of used) {
    const settings = options.config.ldapConfigs[id]!;
    const field = (name: string) => `ldapConfigs.${id}.${name}`;
    const bindPassword = await resolveSecret({
      value: settings.bindPassword,
      providerId: 'headroom',
      field: field('bindPassword'),
      ...(options.baseDirectory ? { baseDirectory: options.baseDirectory } : {}),
    });
    let caCertificate: string | undefined;
    if (settings.caCertificateFile) {
      try {
        caCertificate = await readFile(resolveSecretPath(settings.caCertificateFile, options.baseDirectory), 'utf8');
      } catch (error) {
        throw new InvalidProviderConfigError({
          providerId: 'headroom',
          field: field('caCertificateFile'),
          message: `cannot read ${settings.caCertificateFile}`,
          cause: error,
        });
      }
    }
    directories[id] = createActiveDirectoryComputerRecords({
      id,
      url: settings.url,
      bindDn: settings.bindDn,
      bindPassword,
      ...(caCertificate ? { caCertificate } : {}),
      ...(settings.tlsServerName ? { tlsServerName: settings.tlsServerName } : {}),
      timeoutMs: settings.timeoutMs,
    });
  }
  return directories;
}
