import { readFile } from 'node:fs/promises';
import { InvalidProviderConfigError } from '@headroom/core/provider';
import { PROVIDER_ID } from './vsphere-error.js';
import type { VsphereSecret } from './vsphere-provider-settings.js';

/**
 * Resolves an inline, `{ env }` or `{ file }` secret (a file's trailing newline is dropped).
 * @throws InvalidProviderConfigError naming `field` (never the value) when it cannot be read.
 */
export async function resolveSecret({ secret, field }: { secret: VsphereSecret; field: string }): Promise<string> {
  if (typeof secret === 'string') {
    return secret;
  }
  if ('env' in secret) {
    const value = process.env[secret.env];
    if (!value) {
      throw new InvalidProviderConfigError({
        providerId: PROVIDER_ID,
        field,
        message: `environment variable ${secret.env} is not set`,
      });
    }
    return value;
  }
  try {
    return (await readFile(secret.file, 'utf8')).replace(/\r?\n$/, '');
  } catch (error) {
    throw new InvalidProviderConfigError({
      providerId: PROVIDER_ID,
      field,
      message: `cannot read the secret file ${secret.file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    });
  }
}
