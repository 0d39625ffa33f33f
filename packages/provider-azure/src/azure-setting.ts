import { loadOptionalSetting, loadSetting, resolveSecret, type SecretInput } from '@headroom/core/provider';
import type { AzureAuthority } from './azure-provider-settings.js';

export const AZURE_PROVIDER_ID = 'azure';

/** Login authority and Resource Manager endpoint of one Azure cloud. */
export interface AzureCloud {
  authorityHost: string;
  resourceManagerEndpoint: string;
  /** Token scope of Resource Manager. */
  scope: string;
}

const clouds: Record<Exclude<AzureAuthority, 'azure-germany'>, AzureCloud> = {
  'azure-public-cloud': {
    authorityHost: 'https://login.microsoftonline.com',
    resourceManagerEndpoint: 'https://management.azure.com',
    scope: 'https://management.azure.com/.default',
  },
  'azure-government': {
    authorityHost: 'https://login.microsoftonline.us',
    resourceManagerEndpoint: 'https://management.usgovcloudapi.net',
    scope: 'https://management.usgovcloudapi.net/.default',
  },
  'azure-china': {
    authorityHost: 'https://login.chinacloudapi.cn',
    resourceManagerEndpoint: 'https://management.chinacloudapi.cn',
    scope: 'https://management.chinacloudapi.cn/.default',
  },
};

/** The cloud of an authority setting, with the `endpoint`/`authorityHost` overrides applied. */
export function resolveAzureCloud(settings: {
  azureAuthority: AzureAuthority;
  endpoint?: string | undefined;
  authorityHost?: string | undefined;
}): AzureCloud {
  const cloud = clouds[settings.azureAuthority as keyof typeof clouds] ?? clouds['azure-public-cloud'];
  return {
    authorityHost: (settings.authorityHost ?? cloud.authorityHost).replace(/\/+$/, ''),
    resourceManagerEndpoint: (settings.endpoint ?? cloud.resourceManagerEndpoint).replace(/\/+$/, ''),
    scope: cloud.scope,
  };
}

/** The subscription id from the setting, else `AZURE_SUBSCRIPTION_ID`. */
export function loadAzureSubscriptionId(subscriptionId: string | undefined): string {
  return loadSetting({
    settingValue: subscriptionId,
    environmentVariableName: 'AZURE_SUBSCRIPTION_ID',
    settingName: 'subscriptionId',
    description: 'Azure subscription id',
    providerId: AZURE_PROVIDER_ID,
  });
}

/** Service principal credentials, or `undefined` to use the SDK's default chain (managed identity, CLI). */
export interface AzureServicePrincipal {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/**
 * The client-secret credentials from the settings (secrets resolved now), falling back to
 * `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET`; `undefined` when no client id is
 * configured anywhere. Errors name the setting, never a value.
 */
export async function loadAzureServicePrincipal(settings: {
  tenantId?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: SecretInput | undefined;
}): Promise<AzureServicePrincipal | undefined> {
  const clientId = loadOptionalSetting({
    settingValue: settings.clientId,
    environmentVariableName: 'AZURE_CLIENT_ID',
    settingName: 'clientId',
    description: 'Azure client id',
    providerId: AZURE_PROVIDER_ID,
  });
  if (clientId === undefined) return undefined;
  const tenantId = loadSetting({
    settingValue: settings.tenantId,
    environmentVariableName: 'AZURE_TENANT_ID',
    settingName: 'tenantId',
    description: 'Azure tenant id',
    providerId: AZURE_PROVIDER_ID,
  });
  const clientSecret = await resolveSecret({
    value: settings.clientSecret ?? { env: 'AZURE_CLIENT_SECRET' },
    providerId: AZURE_PROVIDER_ID,
    field: 'clientSecret',
  });
  return { tenantId, clientId, clientSecret };
}

/** Resolves a secret setting (inline, `{ env }` or `{ file }`); errors name the setting, never the value. */
export function resolveAzureSecret(options: { setting: SecretInput; settingName: string }): Promise<string> {
  return resolveSecret({ value: options.setting, providerId: AZURE_PROVIDER_ID, field: options.settingName });
}
