import {
  type ComputeProviderV1,
  type CreateInstanceOptionsV1,
  type DestroyInstanceOptionsV1,
  HEADROOM_TAGS,
  InvalidProviderConfigError,
  type ListInstancesOptionsV1,
  matchesTags,
  type ProviderInstance,
  parseProviderSettings,
} from '@headroom/core/provider';
import { buildDoDropletTags, convertToDoDropletRequest } from './convert-to-do-droplet-request.js';
import type { DoApiClient } from './do-client.js';
import { createDoClientFromSettings } from './do-connection.js';
import { DO_PROVIDER_ID, isDoMissingTagError, isDoNotFound } from './do-error.js';
import {
  DO_SSH_KEY_FINGERPRINT_PATTERN,
  type DoProviderSettings,
  doProviderSettingsSchema,
} from './do-provider-settings.js';
import { encodeDoTag } from './do-tags.js';
import { type DoDroplet, isDoDropletGone, mapDoDroplet } from './map-do-droplet.js';

/** The DigitalOcean droplet adapter. */
export interface DoProvider extends ComputeProviderV1 {
  readonly providerId: 'digitalocean';
}

/** Which one tag `listInstances` asks the API to filter by (the most selective one given). */
function serverSideTag(tags: Readonly<Record<string, string>>): string | undefined {
  for (const key of [HEADROOM_TAGS.intent, HEADROOM_TAGS.pool, HEADROOM_TAGS.managedBy]) {
    const value = tags[key];
    if (value !== undefined) return encodeDoTag(key, value);
  }
  const [first] = Object.entries(tags);
  return first ? encodeDoTag(first[0], first[1]) : undefined;
}

/**
 * Creates the DigitalOcean compute provider (API v2 over `fetch`). Settings are validated here; the
 * token is resolved on the first call. Create is idempotent by the `headroom-intent` tag (looked
 * up before creating); droplets carry Headroom's tags, the configured tags, and join the
 * configured firewall.
 */
export function createDoProvider(settings: DoProviderSettings): DoProvider {
  const { fetch, clock, timers, configDirectory, ...config } = settings;
  const parsed = parseProviderSettings({
    schema: doProviderSettingsSchema,
    settings: config,
    providerId: DO_PROVIDER_ID,
  });
  const client: DoApiClient = createDoClientFromSettings(parsed, {
    ...(fetch ? { fetch } : {}),
    ...(clock ? { clock } : {}),
    ...(timers ? { timers } : {}),
    ...(configDirectory ? { configDirectory } : {}),
  });
  const inFlight = new Map<string, Promise<ProviderInstance>>();
  let sshKeys: Promise<Array<string | number>> | undefined;
  let firewallId: Promise<string | undefined> | undefined;

  const cached = <T>(
    current: Promise<T> | undefined,
    load: () => Promise<T>,
    store: (value: Promise<T> | undefined) => void,
  ) => {
    if (current) return current;
    const loading = load();
    store(loading);
    loading.catch(() => store(undefined));
    return loading;
  };

  /** SSH keys as ids or fingerprints; names are looked up in the account once. */
  const resolveSshKeys = (abortSignal: AbortSignal | undefined) =>
    cached(
      sshKeys,
      async () => {
        const names = parsed.sshKeys.filter(
          (key): key is string => typeof key === 'string' && !DO_SSH_KEY_FINGERPRINT_PATTERN.test(key),
        );
        if (names.length === 0) return parsed.sshKeys;
        const keys = await client.listAll<{ id: number; name: string }>({
          operation: 'ListSshKeys',
          path: '/v2/account/keys',
          key: 'ssh_keys',
          abortSignal,
        });
        return parsed.sshKeys.map((key) => {
          if (typeof key !== 'string' || DO_SSH_KEY_FINGERPRINT_PATTERN.test(key)) return key;
          const found = keys.find((candidate) => candidate.name === key);
          if (!found) {
            throw new InvalidProviderConfigError({
              providerId: DO_PROVIDER_ID,
              field: 'sshKeys',
              message: `no SSH key named "${key}" in the account`,
            });
          }
          return found.id;
        });
      },
      (value) => {
        sshKeys = value;
      },
    );

  /** The id of the configured firewall, looked up by name once. */
  const resolveFirewallId = (abortSignal: AbortSignal | undefined) =>
    cached(
      firewallId,
      async () => {
        if (parsed.firewallName === undefined) return undefined;
        const firewalls = await client.listAll<{ id: string; name: string }>({
          operation: 'ListFirewalls',
          path: '/v2/firewalls',
          key: 'firewalls',
          abortSignal,
        });
        const found = firewalls.find((firewall) => firewall.name === parsed.firewallName);
        if (!found) {
          throw new InvalidProviderConfigError({
            providerId: DO_PROVIDER_ID,
            field: 'firewallName',
            message: `no firewall named "${parsed.firewallName}" in the account`,
          });
        }
        return found.id;
      },
      (value) => {
        firewallId = value;
      },
    );

  /** Adds the droplet to the firewall (adding a member twice is a no-op for the API). */
  const joinFirewall = async (dropletId: number, abortSignal: AbortSignal | undefined) => {
    const id = await resolveFirewallId(abortSignal);
    if (id === undefined) return;
    await client.call({
      operation: 'AddDropletsToFirewall',
      method: 'POST',
      path: `/v2/firewalls/${encodeURIComponent(id)}/droplets`,
      body: { droplet_ids: [dropletId] },
      abortSignal,
    });
  };

  /** Creates each tag (an existing tag is answered as created). */
  const createTags = async (tags: readonly string[], abortSignal: AbortSignal | undefined) => {
    for (const name of tags) {
      await client.call({ operation: 'CreateTag', method: 'POST', path: '/v2/tags', body: { name }, abortSignal });
    }
  };

  const listDroplets = (tagName: string | undefined, abortSignal: AbortSignal | undefined) =>
    client.listAll<DoDroplet>({
      operation: 'ListDroplets',
      path: '/v2/droplets',
      query: tagName === undefined ? {} : { tag_name: tagName },
      key: 'droplets',
      abortSignal,
    });

  const create = async (options: CreateInstanceOptionsV1): Promise<ProviderInstance> => {
    const { abortSignal } = options;
    const tags = { ...options.tags, [HEADROOM_TAGS.intent]: options.idempotencyKey };
    const intentTag = encodeDoTag(HEADROOM_TAGS.intent, options.idempotencyKey);
    const existing = (await listDroplets(intentTag, abortSignal)).find((droplet) => !isDoDropletGone(droplet));
    if (existing) {
      await joinFirewall(existing.id, abortSignal);
      return mapDoDroplet(existing);
    }
    const request = convertToDoDropletRequest({
      settings: parsed,
      name: options.name,
      tags,
      sshKeys: await resolveSshKeys(abortSignal),
      startupScript: options.startupScript ?? parsed.startupScript,
    });
    const post = () =>
      client.call<{ droplet: DoDroplet }>({
        operation: 'CreateDroplet',
        method: 'POST',
        path: '/v2/droplets',
        body: request,
        abortSignal,
      });
    let created: { droplet: DoDroplet };
    try {
      created = await post();
    } catch (error) {
      if (!isDoMissingTagError(error)) throw error;
      // The seed's "tag … does not exist": create the tags, then ask once more.
      await createTags(buildDoDropletTags({ tags, extraTags: parsed.tags }), abortSignal);
      created = await post();
    }
    await joinFirewall(created.droplet.id, abortSignal);
    return mapDoDroplet(created.droplet);
  };

  return {
    specificationVersion: 'v1',
    providerId: DO_PROVIDER_ID,

    createInstance(options: CreateInstanceOptionsV1): Promise<ProviderInstance> {
      if (options.abortSignal?.aborted) return Promise.reject(options.abortSignal.reason);
      // Concurrent creates with one key share one call: the tag lookup cannot see an unfinished create.
      const running = inFlight.get(options.idempotencyKey);
      if (running) return running;
      const call = create(options).finally(() => inFlight.delete(options.idempotencyKey));
      inFlight.set(options.idempotencyKey, call);
      return call;
    },

    async destroyInstance(options: DestroyInstanceOptionsV1): Promise<void> {
      const { abortSignal, instanceId } = options;
      abortSignal?.throwIfAborted();
      if (!/^\d{1,20}$/.test(instanceId)) return; // not a droplet id: nothing of ours to destroy
      try {
        await client.call({
          operation: 'DeleteDroplet',
          method: 'DELETE',
          path: `/v2/droplets/${instanceId}`,
          abortSignal,
        });
      } catch (error) {
        if (isDoNotFound(error)) return;
        throw error;
      }
    },

    async listInstances(options: ListInstancesOptionsV1): Promise<ProviderInstance[]> {
      const { abortSignal, tags } = options;
      abortSignal?.throwIfAborted();
      const droplets = await listDroplets(serverSideTag(tags), abortSignal);
      return droplets
        .filter((droplet) => !isDoDropletGone(droplet))
        .map(mapDoDroplet)
        .filter((instance) => matchesTags(instance.tags, tags));
    },
  } satisfies DoProvider;
}
