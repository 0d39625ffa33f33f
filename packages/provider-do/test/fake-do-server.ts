import {
  type ConformanceFault,
  createFakeApiServer,
  type FakeApiRequest,
  type FakeApiResponse,
  type FakeApiRoute,
  type FakeApiServer,
} from '@headroom/testkit';

/**
 * A local, stateful fake of the DigitalOcean API v2 (droplets, tags, firewalls, SSH keys, domains
 * and domain records), shaped on the public API reference: bearer-token auth, `page`/`per_page`
 * paging with `links.pages.next`, `ratelimit-*` headers, and errors as `{ id, message }`. Droplets
 * are `new` when created and `active` (with addresses) from the next read on.
 */

export const FAKE_DO_DEFAULTS = {
  token: 'dop_v1_fake_token_for_tests',
  region: 'nyc1',
  size: 's-2vcpu-4gb',
  image: 'ubuntu-24-04-x64',
  vpcUuid: '5a4981aa-9653-4bd1-bef5-d6bff52042e4',
  sshKey: { id: 512189, name: 'headroom-ops', fingerprint: '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa' },
  firewall: { id: 'bb4b2611-3d72-467b-8602-280330ecd65c', name: 'headroom-agents' },
} as const;

const sizes: Record<string, { vcpus: number; memory: number; gpus?: number; regions: string[] }> = {
  's-2vcpu-4gb': { vcpus: 2, memory: 4096, regions: ['nyc1', 'nyc3', 'ams3'] },
  'c-2': { vcpus: 2, memory: 4096, regions: ['nyc1', 'ams3'] },
  'gpu-h100x1-80gb': { vcpus: 20, memory: 245760, gpus: 1, regions: ['tor1'] },
};

export interface FakeDroplet {
  id: number;
  name: string;
  status: 'new' | 'active' | 'off' | 'archive';
  region: string;
  size: string;
  image: string | number;
  tags: string[];
  created_at: string;
  userData: string | undefined;
  vpcUuid: string | undefined;
  sshKeys: Array<string | number>;
  ipv6: boolean;
  monitoring: boolean;
  privateAddress: string;
  publicAddress: string;
  /** The create request body as received. */
  request: Record<string, unknown>;
}

export interface FakeDomainRecord {
  id: number;
  type: string;
  name: string;
  data: string;
  ttl: number;
}

export interface FakeDoServerOptions {
  /** Largest page the fake returns, whatever `per_page` asks. Default 200. */
  maxPageSize?: number;
  /** Droplet limit of the account. Default 25. */
  dropletLimit?: number;
  /** Refuse droplet tags that were not created first (the seed's "tag … does not exist"). Default false. */
  requireExistingTags?: boolean;
  /** Domains of the account. Default `example.com`. */
  domains?: string[];
  /** Epoch milliseconds for `ratelimit-reset` and timestamps. Default: the system clock. */
  now?: () => number;
}

export interface FakeDoServer {
  /** Endpoint to pass as `endpoint` (no `/v2`). */
  endpoint: string;
  api: FakeApiServer;
  droplets: Map<number, FakeDroplet>;
  tags: Set<string>;
  firewallDropletIds: Set<number>;
  records: Map<string, FakeDomainRecord[]>;
  failNext(options: { route: string; fault: ConformanceFault | FakeApiResponse; count?: number }): void;
  close(): Promise<void>;
}

const error = (status: number, id: string, message: string, headers?: Record<string, string>): FakeApiResponse => ({
  status,
  ...(headers ? { headers } : {}),
  body: { id, message, request_id: 'fake-request' },
});

/** Starts the fake on 127.0.0.1 (port 0). */
export async function startFakeDoServer(options: FakeDoServerOptions = {}): Promise<FakeDoServer> {
  const now = options.now ?? (() => Date.now());
  const maxPageSize = options.maxPageSize ?? 200;
  const dropletLimit = options.dropletLimit ?? 25;
  const droplets = new Map<number, FakeDroplet>();
  const tags = new Set<string>();
  const firewallDropletIds = new Set<number>();
  const records = new Map<string, FakeDomainRecord[]>();
  for (const domain of options.domains ?? ['example.com']) records.set(domain, []);
  let nextId = 300000000;
  let baseUrl = '';

  const rateLimitHeaders = () => ({
    'ratelimit-limit': '5000',
    'ratelimit-remaining': '4999',
    'ratelimit-reset': String(Math.floor(now() / 1000) + 60),
  });

  /** One page of `items` under `key`, with `links.pages.next` when more follow. */
  const page = (request: FakeApiRequest, key: string, items: unknown[]): FakeApiResponse => {
    const perPage = Math.min(Number(request.query.get('per_page') ?? 20) || 20, 200, maxPageSize);
    const pageNumber = Math.max(1, Number(request.query.get('page') ?? 1) || 1);
    const slice = items.slice((pageNumber - 1) * perPage, pageNumber * perPage);
    const pages: Record<string, string> = {};
    if (pageNumber * perPage < items.length) {
      const next = new URL(`${baseUrl}${request.path}`);
      for (const [name, value] of request.query) next.searchParams.set(name, value);
      next.searchParams.set('page', String(pageNumber + 1));
      next.searchParams.set('per_page', String(perPage));
      pages.next = next.toString();
    }
    return { status: 200, body: { [key]: slice, links: { pages }, meta: { total: items.length } } };
  };

  const renderDroplet = (droplet: FakeDroplet) => {
    const size = sizes[droplet.size] ?? { vcpus: 1, memory: 1024, regions: [] };
    return {
      id: droplet.id,
      name: droplet.name,
      memory: size.memory,
      vcpus: size.vcpus,
      disk: 80,
      locked: false,
      status: droplet.status,
      created_at: droplet.created_at,
      features: droplet.monitoring ? ['monitoring'] : [],
      image: { slug: typeof droplet.image === 'string' ? droplet.image : null, id: 1 },
      size_slug: droplet.size,
      region: { slug: droplet.region },
      tags: [...droplet.tags],
      vpc_uuid: droplet.vpcUuid ?? null,
      ...(size.gpus ? { gpu_info: { count: size.gpus } } : {}),
      networks:
        droplet.status === 'new'
          ? { v4: [], v6: [] }
          : {
              v4: [
                {
                  ip_address: droplet.privateAddress,
                  netmask: '255.255.240.0',
                  gateway: '10.116.0.1',
                  type: 'private',
                },
                { ip_address: droplet.publicAddress, netmask: '255.255.255.0', gateway: '203.0.113.1', type: 'public' },
              ],
              v6: [],
            },
    };
  };

  const createDroplet = (request: FakeApiRequest): FakeApiResponse => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const name = body.name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9.-]{1,255}$/.test(name)) {
      return error(422, 'unprocessable_entity', 'Name is invalid: only a-z, A-Z, 0-9, . and - are allowed.');
    }
    const region = String(body.region);
    const size = sizes[String(body.size)];
    if (!size) return error(422, 'unprocessable_entity', 'You specified an invalid size for Droplet creation.');
    if (!['nyc1', 'nyc3', 'ams3', 'tor1'].includes(region)) {
      return error(422, 'unprocessable_entity', 'You specified an invalid region for Droplet creation.');
    }
    if (!size.regions.includes(region))
      return error(422, 'unprocessable_entity', 'Size is not available in this region.');
    if (body.image !== FAKE_DO_DEFAULTS.image && body.image !== 106433672) {
      return error(422, 'unprocessable_entity', 'You specified an invalid image for Droplet creation.');
    }
    const sshKeys = (body.ssh_keys ?? []) as Array<string | number>;
    for (const key of sshKeys) {
      if (key !== FAKE_DO_DEFAULTS.sshKey.id && key !== FAKE_DO_DEFAULTS.sshKey.fingerprint) {
        return error(422, 'unprocessable_entity', 'You specified an invalid ssh key for Droplet creation.');
      }
    }
    if (body.vpc_uuid !== undefined && body.vpc_uuid !== FAKE_DO_DEFAULTS.vpcUuid) {
      return error(422, 'unprocessable_entity', 'You specified an invalid VPC UUID for Droplet creation.');
    }
    if (typeof body.user_data === 'string' && Buffer.byteLength(body.user_data) > 64 * 1024) {
      return error(422, 'unprocessable_entity', 'user_data is too long.');
    }
    const dropletTags = (body.tags ?? []) as string[];
    for (const tag of dropletTags) {
      if (!/^[A-Za-z0-9:_-]{1,255}$/.test(tag)) return error(422, 'unprocessable_entity', `tag ${tag} is invalid`);
      if (options.requireExistingTags && !tags.has(tag)) {
        return error(404, 'not_found', `tag ${tag} does not exist`);
      }
    }
    const live = [...droplets.values()].filter((droplet) => droplet.status !== 'archive').length;
    if (live >= dropletLimit) {
      return error(
        422,
        'unprocessable_entity',
        `creating this/these droplet(s) will exceed your droplet limit (${dropletLimit})`,
      );
    }
    for (const tag of dropletTags) tags.add(tag);
    const id = nextId++;
    const droplet: FakeDroplet = {
      id,
      name,
      status: 'new',
      region,
      size: String(body.size),
      image: body.image as string | number,
      tags: dropletTags,
      created_at: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      userData: body.user_data as string | undefined,
      vpcUuid: body.vpc_uuid as string | undefined,
      sshKeys,
      ipv6: body.ipv6 === true,
      monitoring: body.monitoring === true,
      privateAddress: `10.116.${(id >> 8) & 255}.${id & 255}`,
      publicAddress: `203.0.113.${id % 250}`,
      request: body,
    };
    droplets.set(id, droplet);
    return { status: 202, body: { droplet: renderDroplet(droplet), links: { actions: [] } } };
  };

  const readDroplets = (request: FakeApiRequest): FakeApiResponse => {
    const tagName = request.query.get('tag_name');
    const listed = [...droplets.values()]
      .filter((droplet) => droplet.status !== 'archive')
      .filter((droplet) => tagName === null || droplet.tags.includes(tagName))
      .sort((left, right) => left.id - right.id);
    const rendered = listed.map(renderDroplet);
    for (const droplet of listed) if (droplet.status === 'new') droplet.status = 'active';
    return page(request, 'droplets', rendered);
  };

  const domainOf = (request: FakeApiRequest) => records.get(request.params.domain ?? '');

  const recordFromBody = (request: FakeApiRequest, id: number): FakeDomainRecord | FakeApiResponse => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const type = String(body.type);
    if (!['A', 'AAAA', 'CNAME', 'TXT', 'MX'].includes(type))
      return error(422, 'unprocessable_entity', 'Type is invalid');
    const ttl = Number(body.ttl ?? 1800);
    if (!Number.isInteger(ttl) || ttl < 30) return error(422, 'unprocessable_entity', 'TTL must be at least 30');
    if (type === 'CNAME' && !/\.$/.test(String(body.data)) && body.data !== '@') {
      return error(422, 'unprocessable_entity', 'Data needs to end with a dot (.)');
    }
    return { id, type, name: String(body.name), data: String(body.data), ttl };
  };

  let nextRecordId = 1000;
  const api = await createFakeApiServer({
    authenticate: (request) =>
      request.headers.authorization === `Bearer ${FAKE_DO_DEFAULTS.token}`
        ? undefined
        : error(401, 'unauthorized', 'Unable to authenticate you'),
    faultResponse: (fault) => {
      switch (fault) {
        case 'insufficient-capacity':
          return error(422, 'unprocessable_entity', 'Size is not available in this region.');
        case 'quota-exceeded':
          return error(
            422,
            'unprocessable_entity',
            'creating this/these droplet(s) will exceed your droplet limit (25)',
          );
        case 'throttled':
          return error(429, 'too_many_requests', 'API Rate limit exceeded.', {
            'ratelimit-limit': '5000',
            'ratelimit-remaining': '0',
            'ratelimit-reset': String(Math.floor(now() / 1000)),
          });
        case 'server-error':
          return error(500, 'server_error', 'Server was unable to give you a response.');
      }
    },
    routes: (
      [
        { name: 'CreateDroplet', method: 'POST', path: '/v2/droplets', handler: createDroplet },
        { name: 'ListDroplets', method: 'GET', path: '/v2/droplets', handler: readDroplets },
        {
          name: 'DeleteDroplet',
          method: 'DELETE',
          path: '/v2/droplets/:id',
          handler: (request) => {
            const droplet = droplets.get(Number(request.params.id));
            if (!droplet || droplet.status === 'archive') {
              return error(404, 'not_found', 'The resource you were accessing could not be found.');
            }
            droplets.delete(droplet.id);
            firewallDropletIds.delete(droplet.id);
            return { status: 204 };
          },
        },
        {
          name: 'CreateTag',
          method: 'POST',
          path: '/v2/tags',
          handler: (request) => {
            const name = String((request.body as { name?: unknown } | undefined)?.name ?? '');
            if (!/^[A-Za-z0-9:_-]{1,255}$/.test(name)) return error(422, 'unprocessable_entity', 'name is invalid');
            tags.add(name);
            return { status: 201, body: { tag: { name, resources: { count: 0 } } } };
          },
        },
        {
          name: 'ListSshKeys',
          method: 'GET',
          path: '/v2/account/keys',
          handler: (request) =>
            page(request, 'ssh_keys', [{ ...FAKE_DO_DEFAULTS.sshKey, public_key: 'ssh-ed25519 AAAA headroom' }]),
        },
        {
          name: 'ListFirewalls',
          method: 'GET',
          path: '/v2/firewalls',
          handler: (request) =>
            page(request, 'firewalls', [
              { id: 'aa000000-0000-4000-8000-000000000000', name: 'other-firewall', droplet_ids: [], tags: [] },
              { ...FAKE_DO_DEFAULTS.firewall, droplet_ids: [...firewallDropletIds], tags: [] },
            ]),
        },
        {
          name: 'AddDropletsToFirewall',
          method: 'POST',
          path: '/v2/firewalls/:id/droplets',
          handler: (request) => {
            if (request.params.id !== FAKE_DO_DEFAULTS.firewall.id)
              return error(404, 'not_found', 'firewall not found');
            for (const id of ((request.body as { droplet_ids?: number[] })?.droplet_ids ?? []) as number[]) {
              if (!droplets.has(id)) return error(404, 'not_found', `droplet ${id} not found`);
              firewallDropletIds.add(id);
            }
            return { status: 204 };
          },
        },
        {
          name: 'ListDomains',
          method: 'GET',
          path: '/v2/domains',
          handler: (request) =>
            page(
              request,
              'domains',
              [...records.keys()].map((name) => ({ name, ttl: 1800, zone_file: '' })),
            ),
        },
        {
          name: 'ListDomainRecords',
          method: 'GET',
          path: '/v2/domains/:domain/records',
          handler: (request) => {
            const domain = request.params.domain ?? '';
            const list = domainOf(request);
            if (!list) return error(404, 'not_found', 'The resource you were accessing could not be found.');
            const name = request.query.get('name');
            const type = request.query.get('type');
            const relative = name === null ? null : name === domain ? '@' : name.slice(0, -(domain.length + 1));
            return page(
              request,
              'domain_records',
              list.filter(
                (record) => (relative === null || record.name === relative) && (type === null || record.type === type),
              ),
            );
          },
        },
        {
          name: 'CreateDomainRecord',
          method: 'POST',
          path: '/v2/domains/:domain/records',
          handler: (request) => {
            const list = domainOf(request);
            if (!list) return error(404, 'not_found', 'The resource you were accessing could not be found.');
            const record = recordFromBody(request, nextRecordId++);
            if ('status' in record) return record;
            list.push(record);
            return { status: 201, body: { domain_record: record } };
          },
        },
        {
          name: 'UpdateDomainRecord',
          method: 'PUT',
          path: '/v2/domains/:domain/records/:id',
          handler: (request) => {
            const list = domainOf(request);
            const index = list?.findIndex((record) => record.id === Number(request.params.id)) ?? -1;
            if (!list || index < 0)
              return error(404, 'not_found', 'The resource you were accessing could not be found.');
            const record = recordFromBody(request, Number(request.params.id));
            if ('status' in record) return record;
            list[index] = record;
            return { status: 200, body: { domain_record: record } };
          },
        },
        {
          name: 'DeleteDomainRecord',
          method: 'DELETE',
          path: '/v2/domains/:domain/records/:id',
          handler: (request) => {
            const list = domainOf(request);
            const index = list?.findIndex((record) => record.id === Number(request.params.id)) ?? -1;
            if (!list || index < 0)
              return error(404, 'not_found', 'The resource you were accessing could not be found.');
            list.splice(index, 1);
            return { status: 204 };
          },
        },
      ] satisfies FakeApiRoute[]
    ).map((route) => ({
      ...route,
      handler: async (request: FakeApiRequest) => {
        const answer = await route.handler(request);
        return { ...answer, headers: { ...rateLimitHeaders(), ...answer.headers } };
      },
    })),
  });
  baseUrl = api.url;
  return {
    endpoint: api.url,
    api,
    droplets,
    tags,
    firewallDropletIds,
    records,
    failNext: ({ route, fault, count }) => api.failNext({ route, fault, ...(count ? { count } : {}) }),
    close: () => api.close(),
  };
}
