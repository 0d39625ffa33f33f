import type {
  ComputeProviderV1,
  CreateInstanceOptionsV1,
  DestroyInstanceOptionsV1,
  ListInstancesOptionsV1,
  ProviderInstance,
  Resources,
} from '@headroom/core/provider';
import {
  HEADROOM_TAGS,
  matchesTags,
  ProviderApiError,
  parseProviderSettings,
  systemClock,
  systemTimers,
} from '@headroom/core/provider';
import { convertToGcpInstance, convertToGcpRequestId, toGcpInstanceName } from './convert-to-gcp-instance.js';
import {
  createGcpSdkComputeClient,
  type GcpComputeClient,
  type GcpInstance,
  type GcpMachineType,
  type GcpOperation,
  type GcpZonedInstance,
} from './gcp-client.js';
import {
  callGcp,
  GCP_PROVIDER_ID,
  readGcpErrorFacts,
  readGcpOperationErrorFacts,
  toGcpError,
  toGcpFailure,
} from './gcp-error.js';
import { buildGcpLabelFilter, decodeGcpLabels, GCP_TAGS_METADATA_KEY } from './gcp-labels.js';
import { type GcpProviderSettings, gcpProviderSettingsSchema } from './gcp-provider-settings.js';
import { resolveGcpClientOptions } from './gcp-setting.js';
import { lastPathSegment, mapGcpInstance, mapGcpMachineTypeShape, parseGcpInstanceId } from './map-gcp-instance.js';

/** The Compute Engine adapter. */
export interface GcpProvider extends ComputeProviderV1 {
  readonly providerId: 'gcp';
  /** Releases the SDK clients' sockets. */
  close(): Promise<void>;
}

/** Most instances one listing returns; a larger fleet is refused rather than read without end. */
const maxListedInstances = 100_000;
/** Pause between `wait` calls that returned before the operation was DONE. */
const operationPollIntervalMs = 1_000;

function hasAnyResource(shape: Resources): boolean {
  return shape.cores > 0 || shape.memoryMb > 0 || shape.gpus > 0;
}

/**
 * Creates the Compute Engine provider. Settings are validated here (an `InvalidProviderConfigError`
 * names the first bad field); the SDK is loaded and secrets are resolved on the first call.
 */
export function createGcpProvider(settings: GcpProviderSettings): GcpProvider {
  const {
    computeClient: injectedClient,
    authClient,
    clock = systemClock,
    timers = systemTimers,
    configDirectory,
    ...configSettings
  } = settings;
  const parsed = parseProviderSettings({
    schema: gcpProviderSettingsSchema,
    settings: configSettings,
    providerId: GCP_PROVIDER_ID,
  });
  let contextPromise: Promise<{ client: GcpComputeClient; project: string }> | undefined;
  const machineTypeCache = new Map<string, Promise<GcpMachineType>>();
  /** Configured values by setting, so that "not found" errors name the setting they quote. */
  const fieldValues = {
    image: parsed.image,
    subnetwork: parsed.subnetwork,
    network: parsed.network,
    machineType: parsed.machineType,
    diskType: parsed.diskType,
    customerManagedEncryptionKey: parsed.customerManagedEncryptionKey,
    serviceAccount: parsed.serviceAccount?.email,
  };

  const getContext = () => {
    contextPromise ??= (async () => {
      const options = await resolveGcpClientOptions({
        credentials: parsed.credentials,
        project: parsed.project,
        endpoint: parsed.endpoint,
        authClient,
        configDirectory,
      });
      const client = injectedClient ?? (await createGcpSdkComputeClient(options));
      return { client, project: options.projectId };
    })();
    contextPromise.catch(() => {
      contextPromise = undefined;
    });
    return contextPromise;
  };

  /** Waits for a zonal operation to be DONE; an operation that ended in error throws its mapped error. */
  const waitForOperation = async (options: {
    operation: GcpOperation;
    zone: string;
    what: string;
    abortSignal: AbortSignal | undefined;
  }): Promise<GcpOperation> => {
    const { client, project } = await getContext();
    const deadline = clock.now() + parsed.operationTimeoutSeconds * 1000;
    let current = options.operation;
    while (current.status !== 'DONE') {
      if (!current.name) {
        throw new ProviderApiError({ providerId: GCP_PROVIDER_ID, message: `${options.what} returned no operation` });
      }
      if (clock.now() >= deadline) {
        throw new ProviderApiError({
          providerId: GCP_PROVIDER_ID,
          message: `${options.what}: operation ${current.name} did not finish within ${parsed.operationTimeoutSeconds} s`,
          isRetryable: true,
        });
      }
      const operationName = current.name;
      const before = clock.now();
      current = await callGcp({
        operation: 'zoneOperations.wait',
        abortSignal: options.abortSignal,
        call: () =>
          client.waitZoneOperation(
            { project, zone: options.zone, operation: operationName },
            { abortSignal: options.abortSignal },
          ),
      });
      if (current.status !== 'DONE' && clock.now() - before < operationPollIntervalMs) {
        await timers.sleep(operationPollIntervalMs, options.abortSignal);
      }
    }
    const facts = readGcpOperationErrorFacts(current);
    if (facts) {
      throw toGcpError({ operation: options.what, facts, cause: current, fieldValues });
    }
    return current;
  };

  /** A machine type (CPUs, memory, bundled GPUs; zone-specific), cached. */
  const getMachineType = (zone: string, machineType: string, abortSignal: AbortSignal | undefined) => {
    const cacheKey = `${zone}/${machineType}`;
    let found = machineTypeCache.get(cacheKey);
    if (!found) {
      found = (async () => {
        const { client, project } = await getContext();
        return callGcp({
          operation: 'machineTypes.get',
          abortSignal,
          fieldValues: { machineType },
          call: () => client.getMachineType({ project, zone, machineType }, { abortSignal }),
        });
      })();
      found.catch(() => machineTypeCache.delete(cacheKey));
      machineTypeCache.set(cacheKey, found);
    }
    return found;
  };

  const toProviderInstance = async (
    zoned: GcpZonedInstance,
    knownShape: Resources | undefined,
    abortSignal: AbortSignal | undefined,
  ): Promise<ProviderInstance> => {
    const machineType = lastPathSegment(zoned.instance.machineType);
    const shape =
      knownShape ??
      (machineType
        ? mapGcpMachineTypeShape(await getMachineType(zoned.zone, machineType, abortSignal), zoned.instance)
        : undefined);
    return mapGcpInstance({ instance: zoned.instance, zone: zoned.zone, shape });
  };

  const listZoned = async (
    tags: Readonly<Record<string, string>>,
    abortSignal: AbortSignal | undefined,
  ): Promise<GcpZonedInstance[]> => {
    const { client, project } = await getContext();
    const found = await callGcp({
      operation: 'instances.aggregatedList',
      abortSignal,
      call: () =>
        client.listInstances({ project, filter: buildGcpLabelFilter(tags), maxResults: 500 }, { abortSignal }),
    });
    if (found.length > maxListedInstances) {
      throw new ProviderApiError({
        providerId: GCP_PROVIDER_ID,
        message: `instances.aggregatedList returned more than ${maxListedInstances} instances`,
        isRetryable: false,
      });
    }
    return found;
  };

  /** The instance of an earlier create with this key, found by its `headroom-intent` label. */
  const findByIntent = async (idempotencyKey: string, abortSignal: AbortSignal | undefined) => {
    const listed = await listZoned({ [HEADROOM_TAGS.intent]: idempotencyKey }, abortSignal);
    return listed[0];
  };

  /** The instance an insert made; one that is gone again is an API error, not a config error. */
  const getInserted = async (zone: string, name: string, abortSignal: AbortSignal | undefined) => {
    const { client, project } = await getContext();
    try {
      const instance: GcpInstance = await client.getInstance({ project, zone, instance: name }, { abortSignal });
      return { zone, instance };
    } catch (error) {
      if (readGcpErrorFacts(error).statusCode !== 404)
        throw toGcpFailure({ operation: 'instances.get', error, abortSignal });
      throw new ProviderApiError({
        providerId: GCP_PROVIDER_ID,
        message: `instance ${zone}/${name} was inserted but is gone (deleted or preempted meanwhile)`,
        statusCode: 404,
        isRetryable: false,
        cause: error,
      });
    }
  };

  /** Inserts and waits; a name already taken by this intent's instance counts as created. */
  const insert = async (options: CreateInstanceOptionsV1, name: string): Promise<GcpZonedInstance> => {
    const { abortSignal, idempotencyKey } = options;
    const { client, project } = await getContext();
    const zone = parsed.zone;
    const instanceResource = convertToGcpInstance({
      settings: parsed,
      name,
      tags: options.tags,
      startupScript: options.startupScript ?? parsed.startupScript,
    });
    const requestId = convertToGcpRequestId({ idempotencyKey, purpose: 'insert' });
    let operation: GcpOperation;
    try {
      operation = await client.insertInstance({ project, zone, requestId, instanceResource }, { abortSignal });
    } catch (error) {
      const facts = readGcpErrorFacts(error);
      const nameTaken = facts.statusCode === 409 || facts.codes.includes('alreadyExists');
      if (!nameTaken) throw toGcpFailure({ operation: 'instances.insert', error, abortSignal, fieldValues });
      // The name is taken: by this intent's instance (a lost response), or by another instance.
      const existing = await getInserted(zone, name, abortSignal);
      const existingTags = decodeGcpLabels({
        labels: existing.instance.labels,
        hashedTagsJson: existing.instance.metadata?.items?.find((item) => item.key === GCP_TAGS_METADATA_KEY)?.value,
      });
      if (existingTags[HEADROOM_TAGS.intent] !== idempotencyKey) {
        throw new ProviderApiError({
          providerId: GCP_PROVIDER_ID,
          message: `instances.insert: the name ${name} is taken by an instance of another intent`,
          statusCode: 409,
          isRetryable: false,
          cause: error,
        });
      }
      return existing;
    }
    await waitForOperation({ operation, zone, what: 'instances.insert', abortSignal });
    return getInserted(zone, name, abortSignal);
  };

  return {
    specificationVersion: 'v1',
    providerId: GCP_PROVIDER_ID,

    async createInstance(options: CreateInstanceOptionsV1): Promise<ProviderInstance> {
      const { abortSignal } = options;
      abortSignal?.throwIfAborted();
      const knownShape = hasAnyResource(options.shape) ? options.shape : undefined;
      const earlier = await findByIntent(options.idempotencyKey, abortSignal);
      const zoned = earlier ?? (await insert(options, toGcpInstanceName(options.name)));
      return toProviderInstance(zoned, knownShape, abortSignal);
    },

    async destroyInstance(options: DestroyInstanceOptionsV1): Promise<void> {
      const { abortSignal, instanceId } = options;
      abortSignal?.throwIfAborted();
      const { client, project } = await getContext();
      const { zone, name } = parseGcpInstanceId(instanceId, parsed.zone);
      let operation: GcpOperation;
      try {
        operation = await client.deleteInstance(
          {
            project,
            zone,
            instance: name,
            requestId: convertToGcpRequestId({ idempotencyKey: instanceId, purpose: 'delete' }),
          },
          { abortSignal },
        );
      } catch (error) {
        // Already gone counts as destroyed.
        if (readGcpErrorFacts(error).statusCode === 404) return;
        throw toGcpFailure({ operation: 'instances.delete', error, abortSignal });
      }
      await waitForOperation({ operation, zone, what: 'instances.delete', abortSignal });
    },

    async listInstances(options: ListInstancesOptionsV1): Promise<ProviderInstance[]> {
      const { abortSignal, tags } = options;
      abortSignal?.throwIfAborted();
      const listed = await listZoned(tags, abortSignal);
      const instances: ProviderInstance[] = [];
      for (const zoned of listed) {
        const instance = await toProviderInstance(zoned, undefined, abortSignal);
        if (matchesTags(instance.tags, tags)) instances.push(instance);
      }
      return instances;
    },

    async close(): Promise<void> {
      if (!contextPromise) return;
      const context = await contextPromise.catch(() => undefined);
      contextPromise = undefined;
      if (context && context.client !== injectedClient) await context.client.close?.();
    },
  } satisfies GcpProvider;
}
