import type {
  Clock,
  ComputeProviderV1,
  CreateInstanceOptionsV1,
  DestroyInstanceOptionsV1,
  ListInstancesOptionsV1,
  ProviderInstance,
  Timers,
} from '@headroom/core/provider';
import {
  HEADROOM_TAGS,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  matchesTags,
  ProviderApiError,
  parseProviderSettings,
  QuotaExceededError,
  systemClock,
  systemTimers,
} from '@headroom/core/provider';
import type { z } from 'zod';
import { buildCloudInitUserData, convertToKubevirtCloudInitSecret } from './convert-to-kubevirt-cloud-init-secret.js';
import {
  convertToKubevirtVirtualMachine,
  HARVESTER_VOLUME_CLAIM_TEMPLATES_ANNOTATION,
  type VirtualMachineIdentity,
} from './convert-to-kubevirt-virtual-machine.js';
import { createKubevirtApi, type KubevirtApi } from './kubevirt-api.js';
import { createClientNodeKubevirtClient, type KubevirtClient, type KubevirtResource } from './kubevirt-client.js';
import { isKubernetesStatus } from './kubevirt-error.js';
import { deriveVirtualMachineName, secretNameOf } from './kubevirt-instance-name.js';
import { loadKubevirtKubeConfig } from './kubevirt-kube-config.js';
import {
  buildLabelSelector,
  encodeTagLabels,
  encodeTagsAnnotation,
  INSTANCE_LABEL,
  readTags,
} from './kubevirt-labels.js';
import { mapKubevirtLeftovers } from './kubevirt-leftovers.js';
import {
  metadataOnlySchema,
  type VirtualMachine,
  type VirtualMachineInstance,
  virtualMachineInstanceSchema,
  virtualMachineSchema,
} from './kubevirt-objects.js';
import {
  type HarvesterProviderSettings,
  harvesterProviderSettingsSchema,
  type KubevirtFlavourSettings,
  type KubevirtProviderSeams,
  type KubevirtProviderSettings,
  kubevirtProviderSettingsSchema,
} from './kubevirt-provider-settings.js';
import {
  judgeScheduling,
  mapKubevirtInstance,
  NAME_ANNOTATION,
  type SchedulingVerdict,
} from './map-kubevirt-instance.js';

/** The KubeVirt / Harvester compute provider. */
export interface KubevirtProvider extends ComputeProviderV1 {
  readonly providerId: 'kubevirt' | 'harvester';
}

/** Injected time (from the adapter context). */
export interface KubevirtProviderRuntime {
  clock?: Clock | undefined;
  timers?: Timers | undefined;
}

const pollIntervalMs = 2_000;

/** Parses one flavour's settings (an InvalidProviderConfigError lists every issue) and builds its provider. */
function createParsedProvider(options: {
  type: 'kubevirt' | 'harvester';
  settings: KubevirtProviderSettings | HarvesterProviderSettings;
  runtime: KubevirtProviderRuntime;
}): KubevirtProvider {
  const { client, configDirectory, ...fields } = options.settings;
  const schema = options.type === 'kubevirt' ? kubevirtProviderSettingsSchema : harvesterProviderSettingsSchema;
  const parsed = parseProviderSettings({ schema, settings: fields, providerId: options.type });
  return createFlavourProvider({
    settings: { ...parsed, type: options.type } as KubevirtFlavourSettings,
    seams: { client, configDirectory },
    runtime: options.runtime,
  });
}

/** Creates the KubeVirt compute provider (`type: kubevirt`). Validates now; connects on the first call. */
export function createKubevirtProvider(
  settings: KubevirtProviderSettings,
  runtime: KubevirtProviderRuntime = {},
): KubevirtProvider {
  return createParsedProvider({ type: 'kubevirt', settings, runtime });
}

/** Creates the Harvester compute provider (`type: harvester`). Validates now; connects on the first call. */
export function createHarvesterProvider(
  settings: HarvesterProviderSettings,
  runtime: KubevirtProviderRuntime = {},
): KubevirtProvider {
  return createParsedProvider({ type: 'harvester', settings, runtime });
}

/** The setting an unusable disk points at. */
function diskField(settings: KubevirtFlavourSettings): string {
  if (settings.configOverride !== undefined) return 'configOverride';
  if (settings.type === 'harvester') return 'diskImage';
  return settings.containerDiskImage !== undefined ? 'containerDiskImage' : 'diskSourcePvc';
}

/** Names of the per-VM disks a VM definition owns: its DataVolume templates and Harvester PVC templates. */
function ownedDiskNames(virtualMachine: VirtualMachine | undefined): string[] {
  if (!virtualMachine) return [];
  const names = (virtualMachine.spec?.dataVolumeTemplates ?? []).map((template) => template.metadata.name);
  const claimTemplates = virtualMachine.metadata.annotations?.[HARVESTER_VOLUME_CLAIM_TEMPLATES_ANNOTATION];
  if (claimTemplates) {
    try {
      for (const template of JSON.parse(claimTemplates) as { metadata?: { name?: unknown } }[]) {
        if (typeof template.metadata?.name === 'string') names.push(template.metadata.name);
      }
    } catch {
      // Not ours to judge: a malformed annotation owns nothing.
    }
  }
  return names;
}

/**
 * The provider of one flavour (kubevirt or harvester).
 * Length: the returned `Provider` methods (each short) over shared clients and settings in closure,
 * the layout of the AWS template.
 */
function createFlavourProvider(options: {
  settings: KubevirtFlavourSettings;
  seams: KubevirtProviderSeams;
  runtime: KubevirtProviderRuntime;
}): KubevirtProvider {
  const { settings, seams } = options;
  const providerId = settings.type;
  const clock = options.runtime.clock ?? systemClock;
  const timers = options.runtime.timers ?? systemTimers;
  const namespace = settings.namespace;
  let clientPromise: Promise<KubevirtClient> | undefined;
  const getClient = (): Promise<KubevirtClient> => {
    clientPromise ??= seams.client
      ? Promise.resolve(seams.client)
      : loadKubevirtKubeConfig({ settings, providerId, configDirectory: seams.configDirectory }).then(
          createClientNodeKubevirtClient,
        );
    clientPromise.catch(() => {
      clientPromise = undefined;
    });
    return clientPromise;
  };
  const api: KubevirtApi = createKubevirtApi({
    getClient,
    namespace,
    providerId,
    manifestField: settings.configOverride === undefined ? undefined : 'configOverride',
  });

  /** Creates an object; an existing one of the same name is fine when it carries this intent. */
  const createOwned = async <
    T extends { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } },
  >(create: {
    resource: KubevirtResource;
    body: { metadata: { name: string } };
    schema: z.ZodType<T>;
    idempotencyKey: string;
    abortSignal?: AbortSignal | undefined;
  }): Promise<T> => {
    try {
      return await api.create(create);
    } catch (error) {
      if (!ProviderApiError.isInstance(error) || !isKubernetesStatus(error.cause, 409)) throw error;
      const existing = await api.get({ ...create, name: create.body.metadata.name });
      if (existing && readTags(existing.metadata)[HEADROOM_TAGS.intent] === create.idempotencyKey) return existing;
      throw new ProviderApiError({
        providerId,
        message: `${create.body.metadata.name} already exists in namespace ${namespace} and was not created for this intent`,
        code: 'AlreadyExists',
        statusCode: 409,
        isRetryable: false,
        cause: error,
      });
    }
  };

  /** Deletes a VM and everything it owns; each part that is already gone counts as deleted. */
  const removeAll = async (name: string, abortSignal: AbortSignal | undefined) => {
    const virtualMachine = await api.get({
      resource: 'virtualmachines',
      name,
      schema: virtualMachineSchema,
      abortSignal,
    });
    const diskNames = ownedDiskNames(virtualMachine);
    await api.remove({ resource: 'virtualmachines', name, abortSignal });
    await api.remove({ resource: 'secrets', name: secretNameOf(name), abortSignal });
    const selector = `${INSTANCE_LABEL}=${name}`;
    const labelled = async (resource: KubevirtResource) =>
      (await api.list({ resource, labelSelector: selector, schema: metadataOnlySchema, abortSignal })).map(
        (object) => object.metadata.name,
      );
    for (const resource of ['datavolumes', 'persistentvolumeclaims', 'secrets'] as const) {
      const names = new Set([...(resource === 'secrets' ? [] : diskNames), ...(await labelled(resource))]);
      for (const objectName of names) await api.remove({ resource, name: objectName, abortSignal });
    }
  };

  const readSchedulingState = async (name: string, abortSignal: AbortSignal | undefined) => {
    const virtualMachine = await api.get({
      resource: 'virtualmachines',
      name,
      schema: virtualMachineSchema,
      abortSignal,
    });
    const instance = await api.get({
      resource: 'virtualmachineinstances',
      name,
      schema: virtualMachineInstanceSchema,
      abortSignal,
    });
    return { virtualMachine, instance };
  };

  const refusal = (verdict: Exclude<SchedulingVerdict, { kind: 'scheduled' | 'waiting' }>, name: string): Error => {
    const message = `VM ${namespace}/${name} was removed: ${verdict.message}`;
    if (verdict.kind === 'unschedulable') return new InsufficientCapacityError({ providerId, message });
    if (verdict.kind === 'quota') return new QuotaExceededError({ providerId, message });
    return new InvalidProviderConfigError({ providerId, field: diskField(settings), message });
  };

  /**
   * Watches a new VM for up to `schedulingTimeoutSeconds`: returns once it is scheduled (or the time
   * is up); an unschedulable, quota-refused or unbootable VM is removed and its error thrown.
   */
  const awaitScheduling = async (
    virtualMachine: VirtualMachine,
    abortSignal: AbortSignal | undefined,
  ): Promise<{ virtualMachine: VirtualMachine; instance?: VirtualMachineInstance | undefined }> => {
    if (settings.schedulingTimeoutSeconds === 0) return { virtualMachine };
    const name = virtualMachine.metadata.name;
    const deadlineMs = clock.now() + settings.schedulingTimeoutSeconds * 1000;
    let latest: { virtualMachine: VirtualMachine; instance?: VirtualMachineInstance | undefined } = { virtualMachine };
    for (;;) {
      const state = await readSchedulingState(name, abortSignal);
      if (!state.virtualMachine) {
        throw new ProviderApiError({
          providerId,
          message: `VM ${namespace}/${name} disappeared while starting`,
          isRetryable: true,
        });
      }
      latest = { virtualMachine: state.virtualMachine, instance: state.instance };
      const verdict = judgeScheduling(latest);
      if (verdict.kind === 'scheduled') return latest;
      if (verdict.kind !== 'waiting') {
        await removeAll(name, abortSignal);
        throw refusal(verdict, name);
      }
      const remainingMs = deadlineMs - clock.now();
      if (remainingMs <= 0) return latest;
      await timers.sleep(Math.min(pollIntervalMs, remainingMs), abortSignal);
    }
  };

  const provider: KubevirtProvider = {
    specificationVersion: 'v1',
    providerId,

    async createInstance(create: CreateInstanceOptionsV1): Promise<ProviderInstance> {
      const { abortSignal, idempotencyKey } = create;
      abortSignal?.throwIfAborted();
      const name = deriveVirtualMachineName(create);
      const identity: VirtualMachineIdentity = {
        name,
        namespace,
        labels: { ...encodeTagLabels(create.tags), [INSTANCE_LABEL]: name },
        annotations: { ...encodeTagsAnnotation(create.tags), [NAME_ANNOTATION]: create.name },
        secretName: secretNameOf(name),
      };
      const manifest = convertToKubevirtVirtualMachine({ settings, identity });
      const secret = convertToKubevirtCloudInitSecret({
        name: identity.secretName,
        namespace,
        labels: identity.labels,
        annotations: identity.annotations,
        userData: buildCloudInitUserData({
          startupScript: create.startupScript ?? settings.startupScript,
          sshPublicKey: settings.sshPublicKey,
        }),
      });
      await createOwned({
        resource: 'secrets',
        body: secret as { metadata: { name: string } },
        schema: metadataOnlySchema,
        idempotencyKey,
        abortSignal,
      });
      let virtualMachine: VirtualMachine;
      try {
        virtualMachine = await createOwned({
          resource: 'virtualmachines',
          body: manifest as { metadata: { name: string } },
          schema: virtualMachineSchema,
          idempotencyKey,
          abortSignal,
        });
      } catch (error) {
        // A refused create leaves nothing behind; after an unclear failure (timeout, 5xx) the VM may
        // exist, and the retry with the same key finds its Secret and VM.
        const refused = ProviderApiError.isInstance(error) ? !error.isRetryable : !abortSignal?.aborted;
        if (refused) await api.remove({ resource: 'secrets', name: identity.secretName }).catch(() => undefined);
        throw error;
      }
      const started = await awaitScheduling(virtualMachine, abortSignal);
      return mapKubevirtInstance(started);
    },

    async destroyInstance(destroy: DestroyInstanceOptionsV1): Promise<void> {
      destroy.abortSignal?.throwIfAborted();
      await removeAll(destroy.instanceId, destroy.abortSignal);
    },

    async listInstances(list: ListInstancesOptionsV1): Promise<ProviderInstance[]> {
      const { abortSignal, tags } = list;
      abortSignal?.throwIfAborted();
      const tagSelector = buildLabelSelector(tags);
      const labelSelector = [HEADROOM_TAGS.managedBy, ...(tagSelector ? [tagSelector] : [])].join(',');
      const query = { labelSelector, abortSignal };
      const [virtualMachines, instances, secrets, claims] = await Promise.all([
        api.list({ resource: 'virtualmachines', schema: virtualMachineSchema, ...query }),
        api.list({ resource: 'virtualmachineinstances', schema: virtualMachineInstanceSchema, ...query }),
        api.list({ resource: 'secrets', schema: metadataOnlySchema, ...query }),
        api.list({ resource: 'persistentvolumeclaims', schema: metadataOnlySchema, ...query }),
      ]);
      const instanceByName = new Map(instances.map((instance) => [instance.metadata.name, instance]));
      const mapped = virtualMachines.map((virtualMachine) =>
        mapKubevirtInstance({ virtualMachine, instance: instanceByName.get(virtualMachine.metadata.name) }),
      );
      const leftovers = mapKubevirtLeftovers({
        objects: [...secrets, ...claims],
        virtualMachineNames: new Set(virtualMachines.map((virtualMachine) => virtualMachine.metadata.name)),
        nowMs: clock.now(),
        graceMs: settings.leftoverGraceSeconds * 1000,
      });
      return [...mapped, ...leftovers].filter((instance) => matchesTags(instance.tags, tags));
    },
  };
  return provider;
}
