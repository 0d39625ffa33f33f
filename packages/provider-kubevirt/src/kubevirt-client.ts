import type { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';

/** The namespaced resources the adapter touches. */
export type KubevirtResource =
  | 'virtualmachines'
  | 'virtualmachineinstances'
  | 'datavolumes'
  | 'secrets'
  | 'persistentvolumeclaims';

/** API group/version of the custom resources (CustomObjectsApi paths). */
export const CUSTOM_RESOURCE_VERSIONS = {
  virtualmachines: { group: 'kubevirt.io', version: 'v1' },
  virtualmachineinstances: { group: 'kubevirt.io', version: 'v1' },
  datavolumes: { group: 'cdi.kubevirt.io', version: 'v1beta1' },
} as const;

interface ResourceCall {
  resource: KubevirtResource;
  namespace: string;
  abortSignal?: AbortSignal | undefined;
}

/**
 * The narrow seam between the provider and the Kubernetes API: plain JSON in and out. Errors are
 * what client-node throws (`ApiException` with the `Status` body); `kubevirt-error.ts` maps them.
 */
export interface KubevirtClient {
  create(options: ResourceCall & { body: object }): Promise<unknown>;
  get(options: ResourceCall & { name: string }): Promise<unknown>;
  /** One page: `{ items, metadata: { continue } }`. `labelSelector` uses equality terms. */
  list(
    options: ResourceCall & { labelSelector?: string; limit?: number; continueToken?: string | undefined },
  ): Promise<unknown>;
  /** Deletes with background propagation (owned DataVolumes and PVCs follow through the GC). */
  delete(options: ResourceCall & { name: string }): Promise<void>;
}

/** Per-call options that hand the abort signal to client-node's fetch (node-fetch 2 honours it). */
function callOptions(abortSignal: AbortSignal | undefined) {
  if (!abortSignal) return undefined;
  return {
    middleware: [
      {
        pre: async (context: { setSignal(signal: AbortSignal): void }) => {
          context.setSignal(abortSignal);
          return context;
        },
        post: async <T>(context: T) => context,
      },
    ],
    middlewareMergeStrategy: 'append' as const,
  };
}

const deleteBody = { propagationPolicy: 'Background' };

/** A KubevirtClient over `@kubernetes/client-node` 1.x: CustomObjectsApi for KubeVirt and CDI, CoreV1Api for the rest. */
export async function createClientNodeKubevirtClient(kubeConfig: KubeConfig): Promise<KubevirtClient> {
  const { CoreV1Api: CoreApi, CustomObjectsApi: CustomApi } = await import('@kubernetes/client-node');
  const custom: CustomObjectsApi = kubeConfig.makeApiClient(CustomApi);
  const core: CoreV1Api = kubeConfig.makeApiClient(CoreApi);
  // biome-ignore lint/suspicious/noExplicitAny: client-node's per-call options type is generated per API.
  const options = (abortSignal: AbortSignal | undefined) => callOptions(abortSignal) as any;

  return {
    async create({ resource, namespace, body, abortSignal }) {
      if (resource === 'secrets') return core.createNamespacedSecret({ namespace, body }, options(abortSignal));
      if (resource === 'persistentvolumeclaims') {
        return core.createNamespacedPersistentVolumeClaim({ namespace, body }, options(abortSignal));
      }
      const { group, version } = CUSTOM_RESOURCE_VERSIONS[resource];
      return custom.createNamespacedCustomObject(
        { group, version, namespace, plural: resource, body },
        options(abortSignal),
      );
    },
    async get({ resource, namespace, name, abortSignal }) {
      if (resource === 'secrets') return core.readNamespacedSecret({ name, namespace }, options(abortSignal));
      if (resource === 'persistentvolumeclaims') {
        return core.readNamespacedPersistentVolumeClaim({ name, namespace }, options(abortSignal));
      }
      const { group, version } = CUSTOM_RESOURCE_VERSIONS[resource];
      return custom.getNamespacedCustomObject(
        { group, version, namespace, plural: resource, name },
        options(abortSignal),
      );
    },
    async list({ resource, namespace, labelSelector, limit, continueToken, abortSignal }) {
      const query = {
        namespace,
        ...(labelSelector ? { labelSelector } : {}),
        ...(limit ? { limit } : {}),
        ...(continueToken ? { _continue: continueToken } : {}),
      };
      if (resource === 'secrets') return core.listNamespacedSecret(query, options(abortSignal));
      if (resource === 'persistentvolumeclaims') {
        return core.listNamespacedPersistentVolumeClaim(query, options(abortSignal));
      }
      const { group, version } = CUSTOM_RESOURCE_VERSIONS[resource];
      return custom.listNamespacedCustomObject({ group, version, plural: resource, ...query }, options(abortSignal));
    },
    async delete({ resource, namespace, name, abortSignal }) {
      if (resource === 'secrets') {
        await core.deleteNamespacedSecret({ name, namespace, body: deleteBody }, options(abortSignal));
        return;
      }
      if (resource === 'persistentvolumeclaims') {
        await core.deleteNamespacedPersistentVolumeClaim({ name, namespace, body: deleteBody }, options(abortSignal));
        return;
      }
      const { group, version } = CUSTOM_RESOURCE_VERSIONS[resource];
      await custom.deleteNamespacedCustomObject(
        { group, version, namespace, plural: resource, name, body: deleteBody },
        options(abortSignal),
      );
    },
  };
}
