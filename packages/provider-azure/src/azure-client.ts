import type { ComputeManagementClient } from '@azure/arm-compute';
import type { DnsManagementClient } from '@azure/arm-dns';
import type { NetworkManagementClient } from '@azure/arm-network';
import type { TokenCredential } from '@azure/identity';
import type { SecretInput } from '@headroom/core/provider';
import type { AzureAuthority } from './azure-provider-settings.js';
import { loadAzureServicePrincipal, loadAzureSubscriptionId, resolveAzureCloud } from './azure-setting.js';

/** The SDK clients the compute provider uses (injectable for tests and custom pipelines). */
export interface AzureClients {
  compute: ComputeManagementClient;
  network: NetworkManagementClient;
}

/** The SDK client the DNS provider uses. */
export type AzureDnsClient = DnsManagementClient;

/** Connection settings shared by the compute and DNS providers. */
export interface AzureConnectionSettings {
  subscriptionId?: string | undefined;
  tenantId?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: SecretInput | undefined;
  azureAuthority: AzureAuthority;
  endpoint?: string | undefined;
  authorityHost?: string | undefined;
}

/** No retries in the SDK pipeline: the reconciler retries retryable errors (one retry layer). */
const retryOptions = { maxRetries: 0 };
const userAgentOptions = { userAgentPrefix: 'headroom' };

/**
 * The credential: a client secret (settings, else `AZURE_*` variables), else the SDK's default
 * chain (managed identity, workload identity, Azure CLI). An `authorityHost` override turns off
 * instance discovery (Azure Stack, tests).
 */
async function createCredential(settings: AzureConnectionSettings): Promise<TokenCredential> {
  const { ClientSecretCredential, DefaultAzureCredential } = await import('@azure/identity');
  const cloud = resolveAzureCloud(settings);
  const principal = await loadAzureServicePrincipal(settings);
  const options = {
    authorityHost: cloud.authorityHost,
    ...(settings.authorityHost === undefined ? {} : { disableInstanceDiscovery: true }),
    retryOptions,
  };
  if (principal) {
    return new ClientSecretCredential(principal.tenantId, principal.clientId, principal.clientSecret, options);
  }
  return new DefaultAzureCredential({ ...options, ...(settings.tenantId ? { tenantId: settings.tenantId } : {}) });
}

/** Creates the compute and network clients (SDKs loaded on first use; secrets resolved now). */
export async function createAzureSdkClients(settings: AzureConnectionSettings): Promise<AzureClients> {
  const [{ ComputeManagementClient }, { NetworkManagementClient }] = await Promise.all([
    import('@azure/arm-compute'),
    import('@azure/arm-network'),
  ]);
  const subscriptionId = loadAzureSubscriptionId(settings.subscriptionId);
  const cloud = resolveAzureCloud(settings);
  const credential = await createCredential(settings);
  return {
    compute: new ComputeManagementClient(credential, subscriptionId, {
      endpoint: cloud.resourceManagerEndpoint,
      credentials: { scopes: [cloud.scope] },
      retryOptions,
      userAgentOptions,
    }),
    network: new NetworkManagementClient(credential, subscriptionId, {
      endpoint: cloud.resourceManagerEndpoint,
      credentialScopes: [cloud.scope],
      retryOptions,
      userAgentOptions,
    }),
  };
}

/** Creates the DNS client (SDK loaded on first use; secrets resolved now). */
export async function createAzureSdkDnsClient(settings: AzureConnectionSettings): Promise<AzureDnsClient> {
  const { DnsManagementClient } = await import('@azure/arm-dns');
  const subscriptionId = loadAzureSubscriptionId(settings.subscriptionId);
  const cloud = resolveAzureCloud(settings);
  const credential = await createCredential(settings);
  return new DnsManagementClient(credential, subscriptionId, {
    endpoint: cloud.resourceManagerEndpoint,
    credentialScopes: [cloud.scope],
    retryOptions,
    userAgentOptions,
  });
}
