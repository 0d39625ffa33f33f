import { collectPages, ProviderApiError } from '@headroom/core/provider';
import type { z } from 'zod';
import type { KubevirtClient, KubevirtResource } from './kubevirt-client.js';
import { callKubevirt, isKubernetesStatus } from './kubevirt-error.js';
import { objectListSchema } from './kubevirt-objects.js';

const operationNames: Record<KubevirtResource, string> = {
  virtualmachines: 'VirtualMachine',
  virtualmachineinstances: 'VirtualMachineInstance',
  datavolumes: 'DataVolume',
  secrets: 'Secret',
  persistentvolumeclaims: 'PersistentVolumeClaim',
};

/** Objects per list page. */
const pageSize = 500;

/**
 * Typed, error-mapped calls over a KubevirtClient for one namespace: every response is checked
 * with the adapter's zod types, every error mapped by `mapKubevirtError`.
 */
export interface KubevirtApi {
  create<T>(options: {
    resource: KubevirtResource;
    body: object;
    schema: z.ZodType<T>;
    abortSignal?: AbortSignal | undefined;
  }): Promise<T>;
  /** The object, or undefined on 404. */
  get<T>(options: {
    resource: KubevirtResource;
    name: string;
    schema: z.ZodType<T>;
    abortSignal?: AbortSignal | undefined;
  }): Promise<T | undefined>;
  /** Every object matching the selector, across pages. */
  list<T>(options: {
    resource: KubevirtResource;
    labelSelector: string;
    schema: z.ZodType<T>;
    abortSignal?: AbortSignal | undefined;
  }): Promise<T[]>;
  /** Deletes; a missing object counts as deleted. */
  remove(options: { resource: KubevirtResource; name: string; abortSignal?: AbortSignal | undefined }): Promise<void>;
}

export function createKubevirtApi(options: {
  getClient: () => Promise<KubevirtClient>;
  namespace: string;
  providerId: string;
  manifestField?: string | undefined;
}): KubevirtApi {
  const { namespace, providerId, manifestField } = options;
  const parse = <T>(schema: z.ZodType<T>, value: unknown, operation: string): T => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    throw new ProviderApiError({
      providerId,
      message: `${operation} returned an unexpected object: ${result.error.issues[0]?.message ?? 'invalid'}`,
      isRetryable: false,
      cause: result.error,
    });
  };
  return {
    async create({ resource, body, schema, abortSignal }) {
      const operation = `create ${operationNames[resource]}`;
      const client = await options.getClient();
      const created = await callKubevirt({
        operation,
        providerId,
        abortSignal,
        manifestField,
        call: () => client.create({ resource, namespace, body, abortSignal }),
      });
      return parse(schema, created, operation);
    },
    async get({ resource, name, schema, abortSignal }) {
      const operation = `get ${operationNames[resource]} ${name}`;
      const client = await options.getClient();
      const found = await callKubevirt({
        operation,
        providerId,
        abortSignal,
        call: async () => {
          try {
            return await client.get({ resource, namespace, name, abortSignal });
          } catch (error) {
            if (isKubernetesStatus(error, 404)) return undefined;
            throw error;
          }
        },
      });
      return found === undefined ? undefined : parse(schema, found, operation);
    },
    async list({ resource, labelSelector, schema, abortSignal }) {
      const operation = `list ${operationNames[resource]}s`;
      const client = await options.getClient();
      const items = await collectPages<unknown>({
        providerId,
        ...(abortSignal ? { abortSignal } : {}),
        fetchPage: async (continueToken) => {
          const page = await callKubevirt({
            operation,
            providerId,
            abortSignal,
            call: () =>
              client.list({ resource, namespace, labelSelector, limit: pageSize, continueToken, abortSignal }),
          });
          const parsed = parse(objectListSchema, page, operation);
          return { items: parsed.items, nextToken: parsed.metadata?.continue || undefined };
        },
      });
      return items.map((item) => parse(schema, item, operation));
    },
    async remove({ resource, name, abortSignal }) {
      const client = await options.getClient();
      await callKubevirt({
        operation: `delete ${operationNames[resource]} ${name}`,
        providerId,
        abortSignal,
        call: async () => {
          try {
            await client.delete({ resource, namespace, name, abortSignal });
          } catch (error) {
            if (!isKubernetesStatus(error, 404)) throw error;
          }
        },
      });
    },
  };
}
