import { readFile } from 'node:fs/promises';
import {
  InvalidProviderConfigError,
  loadOptionalSetting,
  resolveSecret,
  type SecretInput,
} from '@headroom/core/provider';
import type { KubeConfig } from '@kubernetes/client-node';

/** The connection settings (see `connectionShape` in the settings schema). */
export interface KubevirtConnectionSettings {
  kubeconfig?: SecretInput | undefined;
  kubeconfigContext?: string | undefined;
  host?: string | undefined;
  certificateAuthorityData?: string | undefined;
  apiToken?: SecretInput | undefined;
  inCluster?: boolean | undefined;
}

const clusterName = 'headroom';

/**
 * Builds client-node's KubeConfig from the settings: the seed's host + CA + token, a kubeconfig
 * (inline, `{ file }`, `{ env }`), the pod's service account, or else the file named by the
 * `KUBECONFIG` environment variable. Secrets are resolved here, on first use, and never logged.
 * @throws InvalidProviderConfigError naming the setting.
 */
export async function loadKubevirtKubeConfig(options: {
  settings: KubevirtConnectionSettings;
  providerId: string;
  configDirectory?: string | undefined;
}): Promise<KubeConfig> {
  const { settings, providerId } = options;
  const { KubeConfig: KubeConfigClass } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfigClass();
  const fail = (field: string, message: string, cause?: unknown): never => {
    throw new InvalidProviderConfigError({ providerId, field, message, ...(cause ? { cause } : {}) });
  };
  if (settings.inCluster) {
    try {
      kubeConfig.loadFromCluster();
    } catch (error) {
      fail('inCluster', 'cannot read the in-cluster service account', error);
    }
    return kubeConfig;
  }
  if (settings.host !== undefined) {
    const token = await resolveSecret({
      value: settings.apiToken ?? fail('apiToken', 'is required with host'),
      providerId,
      field: 'apiToken',
      ...(options.configDirectory ? { baseDirectory: options.configDirectory } : {}),
    });
    kubeConfig.loadFromOptions({
      clusters: [
        {
          name: clusterName,
          server: settings.host,
          skipTLSVerify: false,
          ...(settings.certificateAuthorityData ? { caData: settings.certificateAuthorityData } : {}),
        },
      ],
      users: [{ name: clusterName, token }],
      contexts: [{ name: clusterName, cluster: clusterName, user: clusterName }],
      currentContext: clusterName,
    });
    return kubeConfig;
  }
  let text: string;
  let field = 'kubeconfig';
  if (settings.kubeconfig !== undefined) {
    text = await resolveSecret({
      value: settings.kubeconfig,
      providerId,
      field,
      ...(options.configDirectory ? { baseDirectory: options.configDirectory } : {}),
    });
  } else {
    const path = loadOptionalSetting({
      settingValue: undefined,
      environmentVariableName: 'KUBECONFIG',
      settingName: 'kubeconfig',
      description: 'kubeconfig',
      providerId,
    });
    if (path === undefined) {
      return fail(
        'kubeconfig',
        'no cluster connection: set kubeconfig, host + apiToken, or inCluster: true (or the KUBECONFIG environment variable)',
      );
    }
    field = 'kubeconfig (KUBECONFIG)';
    // KUBECONFIG may list several files; the first is used.
    const first = path.split(':')[0] as string;
    text = await readFile(first, 'utf8').catch((error: unknown) =>
      fail(field, `cannot read ${first} (${(error as { code?: string }).code ?? 'error'})`, error),
    );
  }
  try {
    kubeConfig.loadFromString(text);
  } catch {
    // A YAML error may quote the kubeconfig (tokens): neither its message nor the error goes on.
    fail(field, 'is not a valid kubeconfig');
  }
  if (settings.kubeconfigContext !== undefined) {
    if (!kubeConfig.getContexts().some((context) => context.name === settings.kubeconfigContext)) {
      fail('kubeconfigContext', `the kubeconfig has no context ${settings.kubeconfigContext}`);
    }
    kubeConfig.setCurrentContext(settings.kubeconfigContext);
  }
  if (!kubeConfig.getCurrentCluster()) fail(field, 'the kubeconfig has no current cluster');
  return kubeConfig;
}
