import { InvalidProviderConfigError, loadOptionalSetting, resolveSecret } from '@headroom/core/provider';
import type { GcpAuthClient, GcpSdkClientOptions, GcpServiceAccountCredentials } from './gcp-client.js';
import { GCP_PROVIDER_ID } from './gcp-error.js';
import type { GcpSecretSetting } from './gcp-provider-settings.js';

/** A parsed service account key: what the SDKs need, and the project it belongs to. */
export interface GcpServiceAccountKey {
  credentials: GcpServiceAccountCredentials;
  projectId: string | undefined;
}

const invalidKey = (message: string, cause?: unknown): never => {
  throw new InvalidProviderConfigError({
    providerId: GCP_PROVIDER_ID,
    field: 'credentials',
    message,
    ...(cause ? { cause } : {}),
  });
};

/**
 * Parses the JSON of a service account key. Errors name what is wrong, never the key's content.
 * @throws InvalidProviderConfigError (field `credentials`).
 */
export function parseGcpServiceAccountKey(json: string): GcpServiceAccountKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    // The parser's message quotes the text, which is secret: leave it out.
    return invalidKey('is not valid JSON (expected the service account key file GCP issues)');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return invalidKey('must be a JSON object (the service account key file GCP issues)');
  }
  const key = parsed as Record<string, unknown>;
  if (key.type !== undefined && key.type !== 'service_account') {
    return invalidKey(`has type ${JSON.stringify(key.type)}; a service account key (type service_account) is required`);
  }
  if (typeof key.client_email !== 'string' || key.client_email === '') return invalidKey('has no client_email');
  if (typeof key.private_key !== 'string' || !key.private_key.includes('PRIVATE KEY')) {
    return invalidKey('has no PEM private_key');
  }
  return {
    credentials: { client_email: key.client_email, private_key: key.private_key },
    projectId: typeof key.project_id === 'string' && key.project_id !== '' ? key.project_id : undefined,
  };
}

/**
 * Resolves what the SDK clients need: the service account key (when configured), the auth client
 * seam and the project (setting, else the key's `project_id`, else GOOGLE_CLOUD_PROJECT).
 */
export async function resolveGcpClientOptions(options: {
  credentials: GcpSecretSetting | undefined;
  project: string | undefined;
  endpoint: string | undefined;
  authClient: GcpAuthClient | undefined;
  configDirectory?: string | undefined;
}): Promise<GcpSdkClientOptions> {
  const key =
    options.credentials === undefined || options.authClient !== undefined
      ? undefined
      : parseGcpServiceAccountKey(
          await resolveSecret({
            value: options.credentials,
            providerId: GCP_PROVIDER_ID,
            field: 'credentials',
            ...(options.configDirectory ? { baseDirectory: options.configDirectory } : {}),
          }),
        );
  const projectId =
    options.project ??
    key?.projectId ??
    loadOptionalSetting({
      settingValue: undefined,
      environmentVariableName: 'GOOGLE_CLOUD_PROJECT',
      settingName: 'project',
      description: 'GCP project id',
      providerId: GCP_PROVIDER_ID,
    });
  if (projectId === undefined) {
    throw new InvalidProviderConfigError({
      providerId: GCP_PROVIDER_ID,
      field: 'project',
      message:
        'GCP project id is missing. Pass it as the `project` setting, use a credentials key with project_id, or set the GOOGLE_CLOUD_PROJECT environment variable.',
    });
  }
  return {
    endpoint: options.endpoint,
    credentials: key?.credentials,
    authClient: options.authClient,
    projectId,
  };
}
