import type { ComputeProviderV1, CreateInstanceOptionsV1, ListInstancesOptionsV1 } from '@headroom/core/provider';
import {
  HEADROOM_TAGS,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  matchesTags,
  mergeCustomTags,
  ProviderApiError,
  parseProviderSettings,
  systemClock,
  systemTimers,
} from '@headroom/core/provider';
import { createCinderVolume, deleteCinderVolume, findCinderVolumes, getCinderVolume } from './cinder-volumes.js';
import { convertToOpenstackServerRequest } from './convert-to-openstack-server-request.js';
import { createKeystoneSession, type KeystoneSession } from './keystone-session.js';
import {
  isNovaServerLive,
  mapOpenstackServer,
  type NovaServer,
  type OpenstackInstance,
} from './map-openstack-server.js';
import { deleteNovaServer, exactNameRegex, findNovaFlavorId, getNovaServer, listNovaServers } from './nova-servers.js';
import { callOpenstack, mapKeystoneError, NO_VALID_HOST_PATTERN, OPENSTACK_PROVIDER_ID } from './openstack-error.js';
import type { OpenstackFetch } from './openstack-http.js';
import { type OpenstackProviderSettings, openstackProviderSettingsSchema } from './openstack-provider-settings.js';
import { createCredentialsResolver, normalizeIdentityEndpoint, secretFieldOf } from './openstack-setting.js';
import { pollUntil } from './poll-until.js';

/** The OpenStack (Nova) adapter. */
export interface OpenstackProvider extends ComputeProviderV1 {
  readonly providerId: 'openstack';
  createInstance(options: CreateInstanceOptionsV1): Promise<OpenstackInstance>;
  listInstances(options: ListInstancesOptionsV1): Promise<OpenstackInstance[]>;
  close(): Promise<void>;
}

const providerId = OPENSTACK_PROVIDER_ID;

/**
 * Creates the OpenStack compute provider: Keystone v3 tokens (renewed before expiry and after a
 * 401), Nova servers at the configured microversion, boot volumes through Cinder. Settings are
 * validated here; no call is made and no secret is resolved until the first operation.
 */
export function createOpenstackProvider(settings: OpenstackProviderSettings): OpenstackProvider {
  const { fetch: injectedFetch, clock = systemClock, timers = systemTimers, configDirectory, ...config } = settings;
  const parsed = parseProviderSettings({ schema: openstackProviderSettingsSchema, settings: config, providerId });
  const fetchImplementation: OpenstackFetch = injectedFetch ?? ((url, init) => fetch(url, init));
  const secretField = secretFieldOf(parsed);
  const resolveCredentials = createCredentialsResolver({ settings: parsed, configDirectory });
  const session: KeystoneSession = createKeystoneSession({
    fetch: async (url, init) => fetchImplementation(url, init),
    clock,
    identityEndpoint: normalizeIdentityEndpoint(parsed.identityEndpoint),
    credentials: resolveCredentials,
    region: parsed.region,
    endpointInterface: parsed.endpointInterface,
    endpointOverrides: {
      ...(parsed.novaEndpoint ? { compute: parsed.novaEndpoint } : {}),
      ...(parsed.glanceEndpoint ? { image: parsed.glanceEndpoint } : {}),
      ...(parsed.cinderEndpoint ? { volume: parsed.cinderEndpoint } : {}),
    },
    serviceHeaders: {
      compute: {
        'OpenStack-API-Version': `compute ${parsed.novaVersion}`,
        'X-OpenStack-Nova-API-Version': parsed.novaVersion,
      },
    },
    timeoutMs: parsed.requestTimeoutMs,
  });
  const call = <T>(operation: () => Promise<T>) =>
    callOpenstack(async () => {
      try {
        return await operation();
      } catch (error) {
        throw mapKeystoneError(error, secretField);
      }
    });
  const poll = <T>(options: {
    check: () => Promise<T | undefined>;
    timeoutMs: number;
    abortSignal?: AbortSignal | undefined;
  }) => pollUntil({ ...options, clock, timers, intervalMs: parsed.pollIntervalMs });

  let flavorId: Promise<string> | undefined;
  const getFlavorId = (abortSignal: AbortSignal | undefined): Promise<string> => {
    flavorId ??= (async () => {
      const id = await findNovaFlavorId({ session, flavor: parsed.flavor, abortSignal });
      if (id === undefined) {
        throw new InvalidProviderConfigError({
          providerId,
          field: 'flavor',
          message: `flavor ${parsed.flavor} does not exist`,
        });
      }
      return id;
    })();
    flavorId.catch(() => {
      flavorId = undefined;
    });
    return flavorId;
  };

  let imageChecked = false;
  /** The image must exist and be active (a clear config error instead of Nova's 400). */
  const checkImage = async (abortSignal: AbortSignal | undefined): Promise<void> => {
    if (imageChecked) return;
    const response = await session.request({
      service: 'image',
      method: 'GET',
      path: `/v2/images/${encodeURIComponent(parsed.imageId)}`,
      abortSignal,
      acceptStatuses: [404],
    });
    const status = (response.body as { status?: string } | undefined)?.status;
    if (response.status === 404 || status !== 'active') {
      throw new InvalidProviderConfigError({
        providerId,
        field: 'imageId',
        message:
          response.status === 404
            ? `image ${parsed.imageId} does not exist or is not visible to the project`
            : `image ${parsed.imageId} is ${status}, not active`,
      });
    }
    imageChecked = true;
  };

  const findByIntent = async (name: string, intent: string, abortSignal: AbortSignal | undefined) => {
    const servers = await listNovaServers({ session, nameRegex: exactNameRegex(name), abortSignal });
    return servers.find((server) => isNovaServerLive(server) && server.metadata?.[HEADROOM_TAGS.intent] === intent);
  };

  /** Creates (or finds, by intent) the boot volume and waits until it is available. */
  const prepareBootVolume = async (options: {
    name: string;
    intent: string;
    metadata: Record<string, string>;
    abortSignal: AbortSignal | undefined;
  }): Promise<string> => {
    const { abortSignal } = options;
    const [existing] = await findCinderVolumes({
      session,
      key: HEADROOM_TAGS.intent,
      value: options.intent,
      abortSignal,
    });
    const volume =
      existing ??
      (await createCinderVolume({
        session,
        name: `${options.name}-boot`,
        sizeGb: parsed.volumeSizeGb as number,
        imageId: parsed.imageId,
        volumeType: parsed.volumeType,
        availabilityZone: parsed.availabilityZone,
        metadata: options.metadata,
        abortSignal,
      }));
    let status = volume.status;
    const ready = await poll({
      timeoutMs: parsed.settleTimeoutMs,
      abortSignal,
      check: async () => {
        status = (await getCinderVolume({ session, volumeId: volume.id, abortSignal }))?.status ?? 'deleted';
        if (status === 'error' || status === 'deleted') {
          throw new ProviderApiError({
            providerId,
            message: `boot volume ${volume.id} went to status ${status}`,
            isRetryable: true,
          });
        }
        return status === 'available' ? volume.id : undefined;
      },
    }).catch(async (error) => {
      await deleteCinderVolume({ session, volumeId: volume.id }).catch(() => undefined);
      throw error;
    });
    if (ready === undefined) {
      throw new ProviderApiError({
        providerId,
        message: `boot volume ${volume.id} is still ${status} after ${parsed.settleTimeoutMs} ms`,
        isRetryable: true,
      });
    }
    return ready;
  };

  /** Waits until Nova's scheduler placed the server (or refused it); the last state seen. */
  const waitForScheduling = async (serverId: string, abortSignal: AbortSignal | undefined): Promise<NovaServer> => {
    let last: NovaServer | undefined;
    await poll({
      timeoutMs: parsed.schedulingTimeoutMs,
      abortSignal,
      check: async () => {
        last = (await getNovaServer({ session, serverId, abortSignal })) ?? last;
        if (last === undefined) return undefined;
        const taskState = last['OS-EXT-STS:task_state'];
        return last.status !== 'BUILD' || (taskState != null && taskState !== 'scheduling') ? last : undefined;
      },
    });
    if (last === undefined) {
      throw new ProviderApiError({
        providerId,
        message: `server ${serverId} vanished after it was created`,
        isRetryable: true,
      });
    }
    return last;
  };

  /** Deletes the boot volumes left over by an intent (a create that failed after the volume). */
  const deleteLeftoverVolumes = async (intent: string, abortSignal: AbortSignal | undefined) => {
    const volumes = await findCinderVolumes({ session, key: HEADROOM_TAGS.intent, value: intent, abortSignal });
    for (const volume of volumes) {
      if (volume.status === 'available' || volume.status === 'error') {
        await deleteCinderVolume({ session, volumeId: volume.id, abortSignal });
      }
    }
  };

  const destroy = async (instanceId: string, abortSignal: AbortSignal | undefined): Promise<void> => {
    abortSignal?.throwIfAborted();
    const server = await getNovaServer({ session, serverId: instanceId, abortSignal });
    if (server === undefined) return;
    await deleteNovaServer({ session, serverId: instanceId, abortSignal });
    const gone = await poll({
      timeoutMs: parsed.settleTimeoutMs,
      abortSignal,
      check: async () => {
        const current = await getNovaServer({ session, serverId: instanceId, abortSignal });
        return current === undefined || !isNovaServerLive(current) ? true : undefined;
      },
    });
    if (!gone) {
      throw new ProviderApiError({
        providerId,
        message: `server ${instanceId} is still there ${parsed.settleTimeoutMs} ms after its deletion`,
        isRetryable: true,
      });
    }
    const intent = server.metadata?.[HEADROOM_TAGS.intent];
    if (parsed.createVolume && intent) await deleteLeftoverVolumes(intent, abortSignal);
  };

  return {
    specificationVersion: 'v1',
    providerId,

    createInstance(options) {
      const { abortSignal, idempotencyKey: intent } = options;
      return call(async () => {
        abortSignal?.throwIfAborted();
        const existing = await findByIntent(options.name, intent, abortSignal);
        if (existing) return mapOpenstackServer(existing);
        const flavor = await getFlavorId(abortSignal);
        await checkImage(abortSignal);
        const metadata = mergeCustomTags({ managedTags: options.tags, customTags: parsed.metadata }).tags;
        const bootVolumeId = parsed.createVolume
          ? await prepareBootVolume({ name: options.name, intent, metadata, abortSignal })
          : undefined;
        let serverId: string;
        try {
          const body = convertToOpenstackServerRequest({
            settings: parsed,
            name: options.name,
            metadata,
            flavorId: flavor,
            startupScript: options.startupScript,
            bootVolumeId,
          });
          const response = await session.request({
            service: 'compute',
            method: 'POST',
            path: '/servers',
            body,
            abortSignal,
          });
          serverId = (response.body as { server: { id: string } }).server.id;
        } catch (error) {
          if (bootVolumeId) await deleteCinderVolume({ session, volumeId: bootVolumeId }).catch(() => undefined);
          throw error;
        }
        const server = await waitForScheduling(serverId, abortSignal);
        const fault = server.fault?.message ?? '';
        if (server.status === 'ERROR' && NO_VALID_HOST_PATTERN.test(fault)) {
          await destroy(serverId, undefined);
          throw new InsufficientCapacityError({
            providerId,
            message: `Nova's scheduler refused flavor ${parsed.flavor}: ${fault}`,
          });
        }
        return mapOpenstackServer(server);
      });
    },

    destroyInstance(options) {
      return call(() => destroy(options.instanceId, options.abortSignal));
    },

    listInstances(options) {
      return call(async () => {
        options.abortSignal?.throwIfAborted();
        const servers = await listNovaServers({ session, abortSignal: options.abortSignal });
        return servers
          .filter(isNovaServerLive)
          .map(mapOpenstackServer)
          .filter((instance) => matchesTags(instance.tags, options.tags));
      });
    },

    async close() {
      session.invalidate();
    },
  };
}
