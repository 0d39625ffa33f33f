import { createHash } from 'node:crypto';
import {
  type ComputeProviderV1,
  type CreateInstanceOptionsV1,
  collectPages,
  type DestroyInstanceOptionsV1,
  HEADROOM_TAGS,
  InsufficientCapacityError,
  type ListInstancesOptionsV1,
  matchesTags,
  type ProviderInstance,
  parseProviderSettings,
} from '@headroom/core/provider';
import type { models } from 'oci-core';
import { convertToOciLaunchInstanceDetails } from './convert-to-oci-launch-instance-details.js';
import { mapOciInstance, OCI_GONE_STATES } from './map-oci-instance.js';
import { createOciSdkClients, type OciClients } from './oci-client.js';
import { createOciClientLoader } from './oci-connection.js';
import { callOci, isOciNotFound, isOciOutOfCapacity, OCI_PROVIDER_ID } from './oci-error.js';
import { type OciProviderSettings, ociProviderSettingsSchema } from './oci-provider-settings.js';

/** The OCI Compute adapter. */
export interface OciProvider extends ComputeProviderV1 {
  readonly providerId: 'oci';
}

/** `opcRetryToken` of a launch: one per idempotency key and availability domain (64 hex characters). */
export function ociRetryToken(idempotencyKey: string, availabilityDomain: string): string {
  return createHash('sha256').update(`${idempotencyKey}\n${availabilityDomain}`).digest('hex');
}

type VnicAddresses = { privateAddress?: string | undefined; publicAddress?: string | undefined };

/**
 * Creates the OCI compute provider (modular SDK: `oci-core`, `oci-identity`). Settings are
 * validated here; the SDK is loaded and the signing key resolved on the first call. A launch goes
 * to the configured availability domains in order, on to the next while one is out of host
 * capacity, with an `opcRetryToken` per key and domain, after a lookup by the `headroom-intent`
 * freeform tag.
 */
export function createOciProvider(settings: OciProviderSettings): OciProvider {
  const { clients: injected, clock: _clock, timers: _timers, configDirectory, ...config } = settings;
  const parsed = parseProviderSettings({
    schema: ociProviderSettingsSchema,
    settings: config,
    providerId: OCI_PROVIDER_ID,
  });
  const getClients = createOciClientLoader<OciClients>({
    settings: parsed,
    injected,
    configDirectory,
    create: createOciSdkClients,
  });
  const timeoutMs = parsed.requestTimeoutSeconds * 1000;
  const inFlight = new Map<string, Promise<ProviderInstance>>();
  const vnicAddresses = new Map<string, VnicAddresses>();
  let availabilityDomains: Promise<string[]> | undefined;

  const call = <T>(operation: string, abortSignal: AbortSignal | undefined, run: () => Promise<T>) =>
    callOci({ operation, abortSignal, timeoutMs, call: run });

  /** The configured domains, else every domain of the region (Identity API, looked up once). */
  const getAvailabilityDomains = (abortSignal: AbortSignal | undefined): Promise<string[]> => {
    if (parsed.availabilityDomains.length > 0) return Promise.resolve(parsed.availabilityDomains);
    availabilityDomains ??= (async () => {
      const { identity } = await getClients();
      const result = await call('ListAvailabilityDomains', abortSignal, () =>
        identity.listAvailabilityDomains({ compartmentId: parsed.tenancyOcid }),
      );
      return result.items.flatMap((domain) => (domain.name ? [domain.name] : []));
    })();
    availabilityDomains.catch(() => {
      availabilityDomains = undefined;
    });
    return availabilityDomains;
  };

  const listCompartmentInstances = async (abortSignal: AbortSignal | undefined): Promise<models.Instance[]> => {
    const { compute } = await getClients();
    const instances = await collectPages<models.Instance>({
      providerId: OCI_PROVIDER_ID,
      ...(abortSignal ? { abortSignal } : {}),
      fetchPage: async (page) => {
        const result = await call('ListInstances', abortSignal, () =>
          compute.listInstances({ compartmentId: parsed.compartmentOcid, limit: 1000, ...(page ? { page } : {}) }),
        );
        return { items: result.items, nextToken: result.opcNextPage };
      },
    });
    return instances.filter((instance) => !OCI_GONE_STATES.has(instance.lifecycleState));
  };

  /** Addresses of the instances' primary VNICs (one attachment listing, one `getVnic` per new VNIC). */
  const readAddresses = async (instances: models.Instance[], abortSignal: AbortSignal | undefined) => {
    const wanted = new Set(instances.map((instance) => instance.id));
    const addresses = new Map<string, VnicAddresses>();
    if (wanted.size === 0) return addresses;
    const { compute, network } = await getClients();
    const attachments = await collectPages<models.VnicAttachment>({
      providerId: OCI_PROVIDER_ID,
      ...(abortSignal ? { abortSignal } : {}),
      fetchPage: async (page) => {
        const result = await call('ListVnicAttachments', abortSignal, () =>
          compute.listVnicAttachments({
            compartmentId: parsed.compartmentOcid,
            limit: 1000,
            ...(page ? { page } : {}),
          }),
        );
        return { items: result.items, nextToken: result.opcNextPage };
      },
    });
    for (const attachment of attachments) {
      const { vnicId, instanceId } = attachment;
      if (!vnicId || !wanted.has(instanceId) || attachment.lifecycleState !== 'ATTACHED' || addresses.has(instanceId)) {
        continue;
      }
      let known = vnicAddresses.get(vnicId);
      if (!known) {
        const { vnic } = await call('GetVnic', abortSignal, () => network.getVnic({ vnicId }));
        if (vnic.isPrimary === false) continue;
        known = { privateAddress: vnic.privateIp, publicAddress: vnic.publicIp };
        if (known.privateAddress) vnicAddresses.set(vnicId, known);
      }
      addresses.set(instanceId, known);
    }
    return addresses;
  };

  const launch = async (options: CreateInstanceOptionsV1): Promise<ProviderInstance> => {
    const { abortSignal, idempotencyKey } = options;
    const existing = (await listCompartmentInstances(abortSignal)).find(
      (instance) =>
        instance.freeformTags?.[HEADROOM_TAGS.intent] === idempotencyKey && instance.lifecycleState !== 'TERMINATING',
    );
    if (existing) return mapOciInstance({ instance: existing });
    const { compute } = await getClients();
    const tags = { ...options.tags, [HEADROOM_TAGS.intent]: idempotencyKey };
    const domains = await getAvailabilityDomains(abortSignal);
    const refusals: string[] = [];
    let lastCapacityError: unknown;
    for (const availabilityDomain of domains) {
      const launchInstanceDetails = convertToOciLaunchInstanceDetails({
        settings: parsed,
        name: options.name,
        availabilityDomain,
        tags,
        startupScript: options.startupScript ?? parsed.startupScript,
      });
      try {
        const { instance } = await call('LaunchInstance', abortSignal, () =>
          compute.launchInstance({
            launchInstanceDetails,
            opcRetryToken: ociRetryToken(idempotencyKey, availabilityDomain),
          }),
        );
        return mapOciInstance({ instance });
      } catch (error) {
        if (!isOciOutOfCapacity(error)) throw error;
        lastCapacityError = error;
        refusals.push(availabilityDomain);
      }
    }
    throw new InsufficientCapacityError({
      providerId: OCI_PROVIDER_ID,
      message: `out of host capacity for ${parsed.shape} in ${refusals.length > 0 ? refusals.join(', ') : 'every availability domain (none found)'}`,
      cause: lastCapacityError,
    });
  };

  return {
    specificationVersion: 'v1',
    providerId: OCI_PROVIDER_ID,

    createInstance(options: CreateInstanceOptionsV1): Promise<ProviderInstance> {
      if (options.abortSignal?.aborted) return Promise.reject(options.abortSignal.reason);
      // Concurrent creates with one key share one launch: the tag lookup cannot see an unfinished one.
      const running = inFlight.get(options.idempotencyKey);
      if (running) return running;
      const launching = launch(options).finally(() => inFlight.delete(options.idempotencyKey));
      inFlight.set(options.idempotencyKey, launching);
      return launching;
    },

    async destroyInstance(options: DestroyInstanceOptionsV1): Promise<void> {
      const { abortSignal, instanceId } = options;
      abortSignal?.throwIfAborted();
      const { compute } = await getClients();
      try {
        await call('TerminateInstance', abortSignal, () =>
          compute.terminateInstance({ instanceId, preserveBootVolume: false }),
        );
      } catch (error) {
        // Gone already (or never ours to see) counts as destroyed.
        if (isOciNotFound((error as Error).cause ?? error)) return;
        throw error;
      }
    },

    async listInstances(options: ListInstancesOptionsV1): Promise<ProviderInstance[]> {
      const { abortSignal, tags } = options;
      abortSignal?.throwIfAborted();
      const matching = (await listCompartmentInstances(abortSignal)).filter((instance) =>
        matchesTags(instance.freeformTags ?? {}, tags),
      );
      const addresses = await readAddresses(matching, abortSignal);
      return matching.map((instance) => mapOciInstance({ instance, addresses: addresses.get(instance.id) }));
    },
  } satisfies OciProvider;
}
