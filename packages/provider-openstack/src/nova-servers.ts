import { collectPages } from '@headroom/core/provider';
import type { KeystoneSession } from './keystone-session.js';
import type { NovaServer } from './map-openstack-server.js';
import { OPENSTACK_PROVIDER_ID } from './openstack-error.js';
import { deleteOpenstackResource, readOpenstackResource } from './openstack-resource.js';

/** Servers per page of `GET /servers/detail`. */
const pageSize = 100;

interface ServerPage {
  servers?: NovaServer[];
  servers_links?: Array<{ rel?: string; href?: string }>;
}

/** Every server of the project (all pages), optionally filtered by Nova's `name` regular expression. */
export function listNovaServers(options: {
  session: KeystoneSession;
  nameRegex?: string;
  abortSignal?: AbortSignal | undefined;
}): Promise<NovaServer[]> {
  return collectPages<NovaServer>({
    providerId: OPENSTACK_PROVIDER_ID,
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    fetchPage: async (marker) => {
      const query = new URLSearchParams({ limit: String(pageSize) });
      if (options.nameRegex !== undefined) query.set('name', options.nameRegex);
      if (marker !== undefined) query.set('marker', marker);
      const response = await options.session.request({
        service: 'compute',
        method: 'GET',
        path: `/servers/detail?${query}`,
        abortSignal: options.abortSignal,
      });
      const page = response.body as ServerPage;
      const servers = page?.servers ?? [];
      const hasNext = page?.servers_links?.some((link) => link.rel === 'next') ?? false;
      const last = servers.at(-1);
      return { items: servers, nextToken: hasNext && last ? last.id : undefined };
    },
  });
}

/** One server, or `undefined` when Nova answers 404. */
export function getNovaServer(options: {
  session: KeystoneSession;
  serverId: string;
  abortSignal?: AbortSignal | undefined;
}): Promise<NovaServer | undefined> {
  const path = `/servers/${encodeURIComponent(options.serverId)}`;
  return readOpenstackResource({ ...options, service: 'compute', path, key: 'server' });
}

/** Deletes a server; `false` when it was already gone (404). */
export function deleteNovaServer(options: {
  session: KeystoneSession;
  serverId: string;
  abortSignal?: AbortSignal | undefined;
}): Promise<boolean> {
  const path = `/servers/${encodeURIComponent(options.serverId)}`;
  return deleteOpenstackResource({ ...options, service: 'compute', path });
}

/** The id of a flavor given by name or id (`GET /flavors` lists both). */
export async function findNovaFlavorId(options: {
  session: KeystoneSession;
  flavor: string;
  abortSignal?: AbortSignal | undefined;
}): Promise<string | undefined> {
  const flavors = await collectPages<{ id: string; name: string }>({
    providerId: OPENSTACK_PROVIDER_ID,
    fetchPage: async (marker) => {
      const query = new URLSearchParams({ limit: '1000', ...(marker ? { marker } : {}) });
      const response = await options.session.request({
        service: 'compute',
        method: 'GET',
        path: `/flavors?${query}`,
        abortSignal: options.abortSignal,
      });
      const page = response.body as {
        flavors?: Array<{ id: string; name: string }>;
        flavors_links?: Array<{ rel?: string }>;
      };
      const items = page?.flavors ?? [];
      const hasNext = page?.flavors_links?.some((link) => link.rel === 'next') ?? false;
      return { items, nextToken: hasNext ? items.at(-1)?.id : undefined };
    },
  });
  return (
    flavors.find((flavor) => flavor.name === options.flavor) ?? flavors.find((flavor) => flavor.id === options.flavor)
  )?.id;
}

/** Escapes a literal for Nova's `name` filter (a regular expression) and anchors it. */
export function exactNameRegex(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}
