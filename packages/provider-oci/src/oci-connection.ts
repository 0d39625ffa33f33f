import { resolveSecret, type SecretInput } from '@headroom/core/provider';
import { createOciSdkClients, createOciSdkDnsClient, type OciSdkClientOptions } from './oci-client.js';
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

/** A loader that creates clients once (injected ones win); a failed creation is tried again next time. */
function lazily<T>(create: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= create();
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };
}

export function createOciClientsLoader(options: {
  settings: OciAuthenticationSettings;
  injected?: Awaited<ReturnType<typeof createOciSdkClients>>;
  configDirectory?: string;
}) {
  const { injected } = options;
  return lazily(
    async () =>
      injected ?? createOciSdkClients(await resolveOciClientOptions(options.settings, options.configDirectory)),
  );
}

export function createOciDnsClientLoader(options: {
  settings: OciAuthenticationSettings;
  injected?: Awaited<ReturnType<typeof createOciSdkDnsClient>>;
  configDirectory?: string;
}) {
  const { injected } = options;
  return lazily(
    async () =>
      injected ?? createOciSdkDnsClient(await resolveOciClientOptions(options.settings, options.configDirectory)),
  );
}
