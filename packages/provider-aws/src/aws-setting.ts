import { loadSetting, parseProviderSettings, resolveSecret } from '@headroom/core/provider';
import type { z } from 'zod';
import type { AwsCredentialsProvider } from './aws-client.js';
import type { AwsSecretSetting } from './aws-provider-settings.js';

export const AWS_PROVIDER_ID = 'aws';

/** Resolves a secret setting (inline, `{ env }` or `{ file }`); errors name the setting, never the value. */
export function resolveAwsSecret(options: { setting: AwsSecretSetting; settingName: string }): Promise<string> {
  return resolveSecret({ value: options.setting, providerId: AWS_PROVIDER_ID, field: options.settingName });
}

/** The region from the setting, else the `AWS_REGION` environment variable. */
export function loadAwsRegion(region: string | undefined): string {
  return loadSetting({
    settingValue: region,
    environmentVariableName: 'AWS_REGION',
    settingName: 'region',
    description: 'AWS region',
    providerId: AWS_PROVIDER_ID,
  });
}

/**
 * A credentials provider over the settings' secrets (resolved on first use and cached), or
 * `undefined` so that the SDK's default chain applies.
 */
export function createAwsCredentialsProvider(settings: {
  accessKeyId?: AwsSecretSetting | undefined;
  secretAccessKey?: AwsSecretSetting | undefined;
  sessionToken?: AwsSecretSetting | undefined;
}): AwsCredentialsProvider | undefined {
  const { accessKeyId, secretAccessKey, sessionToken } = settings;
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  let resolved: ReturnType<AwsCredentialsProvider> | undefined;
  return () => {
    resolved ??= (async () => {
      const credentials = {
        accessKeyId: await resolveAwsSecret({ setting: accessKeyId, settingName: 'accessKeyId' }),
        secretAccessKey: await resolveAwsSecret({ setting: secretAccessKey, settingName: 'secretAccessKey' }),
      };
      if (sessionToken === undefined) return credentials;
      return {
        ...credentials,
        sessionToken: await resolveAwsSecret({ setting: sessionToken, settingName: 'sessionToken' }),
      };
    })();
    resolved.catch(() => {
      resolved = undefined;
    });
    return resolved;
  };
}

/** Parses settings with a schema; a failure becomes one InvalidProviderConfigError listing every issue. */
export function parseAwsSettings<Schema extends z.ZodType>(options: {
  schema: Schema;
  settings: unknown;
}): z.output<Schema> {
  return parseProviderSettings({ ...options, providerId: AWS_PROVIDER_ID });
}
