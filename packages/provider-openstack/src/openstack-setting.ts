import { resolveSecret, type SecretInput } from '@headroom/core/provider';
import type { KeystoneCredentials } from './keystone-session.js';
import { OPENSTACK_PROVIDER_ID } from './openstack-error.js';
import type { OpenstackProviderParsedSettings } from './openstack-provider-settings.js';

/** Keystone v3 base URL from the setting: `/v3` is appended when missing. */
export function normalizeIdentityEndpoint(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '');
  return /\/v3$/.test(trimmed) ? trimmed : `${trimmed}/v3`;
}

/** The setting that holds the secret of the configured authentication method (for errors). */
export function secretFieldOf(settings: OpenstackProviderParsedSettings): string {
  return settings.authenticationMethod === 'applicationCredential' ? 'applicationCredentialSecret' : 'password';
}

/**
 * Resolves the credentials of the configured method (secrets from inline, `{ env }` or `{ file }`),
 * once; a failed resolution is retried on the next call. Errors name the setting, never the value.
 */
export function createCredentialsResolver(options: {
  settings: OpenstackProviderParsedSettings;
  configDirectory?: string | undefined;
}): () => Promise<KeystoneCredentials> {
  const { settings } = options;
  const resolve = (value: SecretInput | undefined, field: string) =>
    resolveSecret({
      value: value as SecretInput,
      providerId: OPENSTACK_PROVIDER_ID,
      field,
      ...(options.configDirectory ? { baseDirectory: options.configDirectory } : {}),
    });
  let resolved: Promise<KeystoneCredentials> | undefined;
  return () => {
    resolved ??= (async (): Promise<KeystoneCredentials> =>
      settings.authenticationMethod === 'applicationCredential'
        ? {
            method: 'applicationCredential',
            id: settings.applicationCredentialId as string,
            secret: await resolve(settings.applicationCredentialSecret, 'applicationCredentialSecret'),
          }
        : {
            method: 'password',
            username: settings.username as string,
            password: await resolve(settings.password, 'password'),
            userDomainName: settings.userDomainName,
            projectName: settings.projectName as string,
            projectDomainName: settings.projectDomainName,
          })();
    resolved.catch(() => {
      resolved = undefined;
    });
    return resolved;
  };
}
