import { resolveSecret, type SecretInput } from '@headroom/core/provider';
import type { OciSdkClientOptions } from './oci-client.js';
import { OCI_PROVIDER_ID } from './oci-error.js';

/** The authentication settings both adapters share. */
export interface OciAuthenticationSettings {
  tenancyOcid: string;
  userOcid: string;
  fingerprint: string;
  privateKey: SecretInput;
  privateKeyPassphrase?: SecretInput | undefined;
  region: string;
  endpoint?: string | undefined;
}

/** The SDK client options with the signing key (and passphrase) resolved. Errors name the setting only. */
export async function resolveOciClientOptions(
  settings: OciAuthenticationSettings,
  configDirectory: string | undefined,
): Promise<OciSdkClientOptions> {
  const resolve = (value: SecretInput, field: string) =>
    resolveSecret({
      value,
      providerId: OCI_PROVIDER_ID,
      field,
      ...(configDirectory ? { baseDirectory: configDirectory } : {}),
    });
  return {
    tenancyOcid: settings.tenancyOcid,
    userOcid: settings.userOcid,
    fingerprint: settings.fingerprint,
    privateKey: await resolve(settings.privateKey, 'privateKey'),
    privateKeyPassphrase:
      settings.privateKeyPassphrase === undefined
        ? undefined
        : await resolve(settings.privateKeyPassphrase, 'privateKeyPassphrase'),
    region: settings.region,
    endpoint: settings.endpoint,
  };
}

/**
 * A client loader: the injected client, else one built by `create` from the resolved settings, made
 * once; a failed creation (an unreadable key file) is tried again on the next call.
 */
export function createOciClientLoader<Client>(options: {
  settings: OciAuthenticationSettings;
  injected: Client | undefined;
  configDirectory: string | undefined;
  create: (clientOptions: OciSdkClientOptions) => Promise<Client>;
}): () => Promise<Client> {
  let loading: Promise<Client> | undefined;
  return () => {
    loading ??= (async () =>
      options.injected ?? options.create(await resolveOciClientOptions(options.settings, options.configDirectory)))();
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };
}
