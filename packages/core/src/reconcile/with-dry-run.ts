import type { Clock } from '../clock/clock.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import type { DnsProviderV1 } from '../provider/v1/dns-provider-v1.js';
import type { DnsRecord } from '../provider/v1/dns-record.js';
import type { ProviderInstance } from '../provider/v1/provider-v1-instance.js';
import { createMemoryStateStore } from '../store/memory-state-store.js';
import type { StateStore } from '../store/state-store.js';

const matchesTags = (instance: ProviderInstance, tags: Record<string, string>) =>
  Object.entries(tags).every(([key, value]) => instance.tags[key] === value);

/**
 * A compute provider for dry runs. It holds no reference that could reach the real
 * `createInstance` or `destroyInstance`: creates are simulated (`dry-run-<name>` instances, listed
 * together with the real ones) and destroys hide instances from later lists. Only `listInstances`
 * reaches the cloud.
 */
export function withDryRun(provider: ComputeProviderV1, options: { clock: Clock }): ComputeProviderV1 {
  const listInstances = provider.listInstances.bind(provider);
  const simulated = new Map<string, ProviderInstance>();
  const hidden = new Set<string>();
  return {
    specificationVersion: 'v1',
    providerId: provider.providerId,
    async createInstance(callOptions) {
      callOptions.abortSignal?.throwIfAborted();
      for (const instance of simulated.values()) {
        if (instance.tags['headroom-intent'] === callOptions.idempotencyKey) return structuredClone(instance);
      }
      const instance: ProviderInstance = {
        instanceId: `dry-run-${callOptions.name}`,
        name: callOptions.name,
        state: 'pending',
        tags: { ...callOptions.tags },
        shape: { ...callOptions.shape },
        createdAt: new Date(options.clock.now()).toISOString(),
      };
      simulated.set(instance.instanceId, instance);
      return structuredClone(instance);
    },
    async destroyInstance(callOptions) {
      callOptions.abortSignal?.throwIfAborted();
      simulated.delete(callOptions.instanceId);
      hidden.add(callOptions.instanceId);
    },
    async listInstances(callOptions) {
      const real = (await listInstances(callOptions)).filter((instance) => !hidden.has(instance.instanceId));
      const fake = [...simulated.values()].filter((instance) => matchesTags(instance, callOptions.tags));
      return [...real, ...fake.map((instance) => structuredClone(instance))];
    },
  };
}

/** A DNS provider for dry runs: upserts and deletes change a local overlay; only `listRecords` reaches the provider. */
export function withDnsDryRun(provider: DnsProviderV1): DnsProviderV1 {
  const listRecords = provider.listRecords.bind(provider);
  const key = (record: { zone: string; name: string; type: string }) =>
    `${record.zone}\u0000${record.name}\u0000${record.type}`;
  const upserted = new Map<string, DnsRecord>();
  const deleted = new Set<string>();
  return {
    specificationVersion: 'v1',
    providerId: provider.providerId,
    async upsertRecord({ abortSignal, ...record }) {
      abortSignal?.throwIfAborted();
      deleted.delete(key(record));
      upserted.set(key(record), record);
    },
    async deleteRecord({ abortSignal, ...record }) {
      abortSignal?.throwIfAborted();
      upserted.delete(key(record));
      deleted.add(key(record));
    },
    async listRecords(callOptions) {
      const real = (await listRecords(callOptions)).filter(
        (record) => !deleted.has(key(record)) && !upserted.has(key(record)),
      );
      const local = [...upserted.values()].filter((record) => record.zone === callOptions.zone);
      return [...real, ...local.map((record) => ({ ...record }))];
    },
  };
}

/**
 * A state store for dry runs: the first read copies the real store's contents into memory; every
 * later read and write uses that copy, so the real store is never written. Demand samples are not
 * copied (weeks of them): they are read from the real store, and samples a dry run records are
 * kept in memory only and added to what the real store answers (deletes hide nothing real).
 */
export function withDryRunStore(store: StateStore): StateStore {
  const overlay = createMemoryStateStore();
  let loaded: Promise<void> | undefined;
  const load = () => {
    loaded ??= (async () => {
      await store.init();
      const epoch = Number.MAX_SAFE_INTEGER;
      await overlay.putPlannerState({ epoch, state: await store.getPlannerState() });
      for (const intent of await store.listIntents()) await overlay.putIntent({ epoch, intent });
      for (const instance of await store.listInstances()) await overlay.putInstance({ epoch, instance });
      for (const checkin of await store.listPendingCheckins()) await overlay.putPendingCheckin({ checkin });
    })();
    return loaded;
  };
  const unfenced = { epoch: Number.MAX_SAFE_INTEGER };
  const loadedOverlay = async () => {
    await load();
    return overlay;
  };
  return {
    kind: `dry-run(${store.kind})`,
    init: load,
    getPlannerState: async () => (await loadedOverlay()).getPlannerState(),
    putPlannerState: async ({ state }) => (await loadedOverlay()).putPlannerState({ ...unfenced, state }),
    putIntent: async ({ intent }) => (await loadedOverlay()).putIntent({ ...unfenced, intent }),
    listIntents: async (options) => (await loadedOverlay()).listIntents(options),
    deleteSettledIntents: async ({ createdBefore }) =>
      (await loadedOverlay()).deleteSettledIntents({ ...unfenced, createdBefore }),
    putInstance: async ({ instance }) => (await loadedOverlay()).putInstance({ ...unfenced, instance }),
    deleteInstance: async ({ id }) => (await loadedOverlay()).deleteInstance({ ...unfenced, id }),
    listInstances: async () => (await loadedOverlay()).listInstances(),
    putPendingCheckin: async (options) => (await loadedOverlay()).putPendingCheckin(options),
    listPendingCheckins: async () => (await loadedOverlay()).listPendingCheckins(),
    deletePendingCheckins: async (options) => (await loadedOverlay()).deletePendingCheckins(options),
    putDemandSamples: async ({ samples }) => (await loadedOverlay()).putDemandSamples({ ...unfenced, samples }),
    listDemandSamples: async (options) => {
      const overlaid = await (await loadedOverlay()).listDemandSamples(options);
      const written = new Set(overlaid.map((sample) => sample.atMs));
      const real = (await store.listDemandSamples(options)).filter((sample) => !written.has(sample.atMs));
      return [...real, ...overlaid].sort((left, right) => left.atMs - right.atMs);
    },
    deleteDemandSamples: async ({ beforeMs }) => (await loadedOverlay()).deleteDemandSamples({ ...unfenced, beforeMs }),
    close: async () => {
      await overlay.close();
    },
  };
}
