import { randomBytes, randomUUID } from 'node:crypto';
import {
  type ConformanceFault,
  createFakeApiServer,
  type FakeApiRequest,
  type FakeApiResponse,
  type FakeApiServer,
} from '@headroom/testkit';
import type { OpenstackProviderSettings } from '../src/openstack-provider-settings.js';

/**
 * A local, stateful fake of the parts of Keystone v3, Nova 2.1, Glance v2 and Cinder v3 the adapter
 * uses, on 127.0.0.1 under `/identity/v3`, `/compute/v2.1`, `/image` and `/volume/v3/<project>`.
 * It checks tokens (expiry, revocation) before routing, answers errors in the services' own JSON
 * shapes, requires a compute microversion ≥ 2.37, validates references (flavor, image, volume,
 * security groups, key pair, zone, network), pages servers with `marker`/`servers_links`, and moves
 * servers and volumes through their states one poll at a time. The real stack covers the rest.
 */

export interface FakeNovaServer {
  id: string;
  name: string;
  status: string;
  'OS-EXT-STS:task_state': string | null;
  metadata: Record<string, string>;
  created: string;
  flavor: { original_name: string; vcpus: number; ram: number; disk: number };
  addresses: Record<string, Array<{ addr: string; version: number; 'OS-EXT-IPS:type': string }>>;
  fault?: { code: number; message: string; created: string };
  /** The request body as received (for request-shape tests). */
  request: Record<string, unknown>;
  deleteVolumes: string[];
}

export interface FakeCinderVolume {
  id: string;
  name: string;
  status: string;
  size: number;
  volume_type: string | null;
  metadata: Record<string, string>;
  imageRef?: string;
}

const PROJECT_ID = '5a1b2c3d4e5f40718293a4b5c6d7e8f9';
export const FAKE_OPENSTACK_DEFAULTS = {
  projectId: PROJECT_ID,
  username: 'headroom',
  password: 'fake-password',
  applicationCredentialId: 'a1b2c3d4e5f6',
  applicationCredentialSecret: 'fake-application-credential-secret',
  imageId: '7f4e0b1a-8c2d-4e5f-9a6b-0c1d2e3f4a5b',
  networkId: 'a3c1e0f2-5b6d-4c7e-8f9a-0b1c2d3e4f5a',
  flavors: [
    { id: '1', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20 },
    { id: '3', name: 'm1.medium', vcpus: 2, ram: 4096, disk: 40 },
  ],
  securityGroups: ['default', 'kasm'],
  keyPairs: ['headroom-key'],
  zones: ['nova', 'zone-b'],
  volumeTypes: ['ssd', 'hdd'],
  settings: (url: string): OpenstackProviderSettings => ({
    maxInstances: 20,
    identityEndpoint: `${url}/identity/v3`,
    authenticationMethod: 'applicationCredential',
    applicationCredentialId: FAKE_OPENSTACK_DEFAULTS.applicationCredentialId,
    applicationCredentialSecret: FAKE_OPENSTACK_DEFAULTS.applicationCredentialSecret,
    region: 'RegionOne',
    imageId: FAKE_OPENSTACK_DEFAULTS.imageId,
    flavor: 'm1.medium',
    networkId: FAKE_OPENSTACK_DEFAULTS.networkId,
  }),
};

const faultBodies: Record<Exclude<ConformanceFault, 'insufficient-capacity'>, FakeApiResponse> = {
  'quota-exceeded': {
    status: 403,
    body: {
      forbidden: {
        code: 403,
        message: 'Quota exceeded for instances: Requested 1, but already used 10 of 10 instances',
      },
    },
  },
  throttled: {
    status: 429,
    headers: { 'retry-after': '3' },
    body: { overLimit: { code: 429, message: 'Rate limit exceeded' } },
  },
  'server-error': {
    status: 500,
    body: {
      computeFault: {
        code: 500,
        message: 'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/',
      },
    },
  },
};

const noValidHost = 'No valid host was found. There are not enough hosts available.';
const json = (status: number, body?: unknown): FakeApiResponse => ({ status, ...(body === undefined ? {} : { body }) });
const novaError = (status: number, kind: string, message: string) =>
  json(status, { [kind]: { code: status, message } });

export interface FakeOpenstackServer {
  url: string;
  server: FakeApiServer;
  servers: Map<string, FakeNovaServer>;
  volumes: Map<string, FakeCinderVolume>;
  /** Tokens issued so far. */
  issuedTokens: string[];
  /** The next created server goes to ERROR with `faultMessage` (default: no valid host) instead of ACTIVE. */
  failNextBuild(faultMessage?: string): void;
  /** The next `POST /servers` fails with the fault, in Nova's shape (capacity: ERROR after scheduling). */
  failNextCreate(fault: ConformanceFault): void;
  revokeAllTokens(): void;
  close(): Promise<void>;
}

/** Starts the fake. `tokenLifetimeMs` sets `expires_at` of issued tokens (default 1 h). */
export async function startFakeOpenstackServer(options: { maxPageSize?: number; tokenLifetimeMs?: number } = {}) {
  const pageSize = options.maxPageSize ?? 1000;
  const tokens = new Map<string, number>();
  const issuedTokens: string[] = [];
  const servers = new Map<string, FakeNovaServer>();
  const volumes = new Map<string, FakeCinderVolume>();
  let buildFault: string | undefined;
  let base = '';

  const issueToken = (request: FakeApiRequest): FakeApiResponse => {
    const identity = (request.body as { auth?: { identity?: Record<string, unknown> } })?.auth?.identity ?? {};
    const credential = identity.application_credential as { id?: string; secret?: string } | undefined;
    const user = (identity.password as { user?: { name?: string; password?: string } } | undefined)?.user;
    const valid = credential
      ? credential.id === FAKE_OPENSTACK_DEFAULTS.applicationCredentialId &&
        credential.secret === FAKE_OPENSTACK_DEFAULTS.applicationCredentialSecret
      : user?.name === FAKE_OPENSTACK_DEFAULTS.username && user?.password === FAKE_OPENSTACK_DEFAULTS.password;
    if (!valid)
      return json(401, {
        error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
      });
    const token = randomBytes(24).toString('base64url');
    const issuedAt = Date.now();
    const expiresAt = issuedAt + (options.tokenLifetimeMs ?? 3_600_000);
    tokens.set(token, expiresAt);
    issuedTokens.push(token);
    const endpoint = (type: string, url: string) => ({
      type,
      endpoints: [{ interface: 'public', region_id: 'RegionOne', region: 'RegionOne', url }],
    });
    return {
      status: 201,
      headers: { 'x-subject-token': token },
      body: {
        token: {
          issued_at: new Date(issuedAt).toISOString(),
          expires_at: new Date(expiresAt).toISOString(),
          project: { id: PROJECT_ID, name: 'headroom' },
          catalog: [
            endpoint('compute', `${base}/compute/v2.1`),
            endpoint('image', `${base}/image`),
            endpoint('volumev3', `${base}/volume/v3/${PROJECT_ID}`),
          ],
        },
      },
    };
  };

  const authenticate = (request: FakeApiRequest): FakeApiResponse | undefined => {
    if (request.path.startsWith('/identity/')) return undefined;
    const expiresAt = tokens.get(String(request.headers['x-auth-token'] ?? ''));
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      return json(401, {
        error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
      });
    }
    if (request.path.startsWith('/compute/')) {
      const version = /^compute (2\.\d+)$/.exec(String(request.headers['openstack-api-version'] ?? ''))?.[1];
      if (!version || Number(version.split('.')[1]) < 37) {
        return novaError(400, 'badRequest', 'this fake requires a compute microversion of 2.37 or later');
      }
    }
    return undefined;
  };

  /** Servers advance one state per read: BUILD(scheduling) → BUILD(spawning) → ACTIVE or ERROR. */
  const advance = (server: FakeNovaServer): void => {
    if (server['OS-EXT-STS:task_state'] === 'deleting') {
      servers.delete(server.id);
      for (const volumeId of server.deleteVolumes) volumes.delete(volumeId);
    } else if (server.status === 'BUILD' && server['OS-EXT-STS:task_state'] === 'scheduling') {
      if (server.fault) {
        server.status = 'ERROR';
        server['OS-EXT-STS:task_state'] = null;
      } else server['OS-EXT-STS:task_state'] = 'spawning';
    } else if (server.status === 'BUILD') {
      server.status = 'ACTIVE';
      server['OS-EXT-STS:task_state'] = null;
    }
  };
  const view = (server: FakeNovaServer) => {
    const { request: _request, deleteVolumes: _deleteVolumes, ...rest } = server;
    return { ...rest, ...(server.status === 'ERROR' ? {} : { fault: undefined }) };
  };

  const createServer = (request: FakeApiRequest): FakeApiResponse => {
    const body = (request.body as { server?: Record<string, unknown> })?.server;
    if (!body || typeof body.name !== 'string')
      return novaError(400, 'badRequest', "Invalid input for field/attribute server. 'name' is a required property");
    const flavor = FAKE_OPENSTACK_DEFAULTS.flavors.find((candidate) => candidate.id === body.flavorRef);
    if (!flavor) return novaError(400, 'badRequest', `Flavor ${String(body.flavorRef)} could not be found.`);
    const mappings = (body.block_device_mapping_v2 as Array<Record<string, unknown>> | undefined) ?? [];
    if (mappings.length === 0 && body.imageRef !== FAKE_OPENSTACK_DEFAULTS.imageId) {
      return novaError(400, 'badRequest', 'Invalid imageRef provided.');
    }
    for (const mapping of mappings) {
      const volume = volumes.get(String(mapping.uuid));
      if (volume?.status !== 'available')
        return novaError(400, 'badRequest', `Volume ${String(mapping.uuid)} is not available.`);
    }
    const groups = (body.security_groups as Array<{ name: string }> | undefined) ?? [];
    const unknownGroup = groups.find((group) => !FAKE_OPENSTACK_DEFAULTS.securityGroups.includes(group.name));
    if (unknownGroup)
      return novaError(400, 'badRequest', `Security group ${unknownGroup.name} not found for project ${PROJECT_ID}.`);
    if (body.key_name !== undefined && !FAKE_OPENSTACK_DEFAULTS.keyPairs.includes(String(body.key_name))) {
      return novaError(400, 'badRequest', `Invalid key_name provided.`);
    }
    if (
      body.availability_zone !== undefined &&
      !FAKE_OPENSTACK_DEFAULTS.zones.includes(String(body.availability_zone))
    ) {
      return novaError(400, 'badRequest', `The requested availability zone is not available`);
    }
    const networks = body.networks;
    if (
      networks !== 'none' &&
      networks !== 'auto' &&
      !(Array.isArray(networks) && networks.every((network) => network?.uuid === FAKE_OPENSTACK_DEFAULTS.networkId))
    ) {
      return novaError(400, 'badRequest', `Network ${JSON.stringify(networks)} could not be found.`);
    }
    const id = randomUUID();
    const server: FakeNovaServer = {
      id,
      name: body.name,
      status: 'BUILD',
      'OS-EXT-STS:task_state': 'scheduling',
      metadata: { ...(body.metadata as Record<string, string>) },
      created: new Date().toISOString(),
      flavor: { original_name: flavor.name, vcpus: flavor.vcpus, ram: flavor.ram, disk: flavor.disk },
      addresses: Array.isArray(networks)
        ? { private: [{ addr: `10.0.0.${servers.size + 10}`, version: 4, 'OS-EXT-IPS:type': 'fixed' }] }
        : {},
      request: request.body as Record<string, unknown>,
      deleteVolumes: mappings.filter((mapping) => mapping.delete_on_termination).map((mapping) => String(mapping.uuid)),
      ...(buildFault ? { fault: { code: 500, message: buildFault, created: new Date().toISOString() } } : {}),
    };
    buildFault = undefined;
    for (const mapping of mappings) (volumes.get(String(mapping.uuid)) as FakeCinderVolume).status = 'in-use';
    servers.set(id, server);
    return json(202, { server: { id, links: [], security_groups: groups, 'OS-DCF:diskConfig': 'MANUAL' } });
  };

  const listServers = (request: FakeApiRequest): FakeApiResponse => {
    const nameFilter = request.query.get('name');
    const pattern = nameFilter === null ? undefined : new RegExp(nameFilter);
    const limit = Math.min(Number(request.query.get('limit') ?? pageSize), pageSize);
    const all = [...servers.values()].filter((server) => !pattern || pattern.test(server.name));
    const marker = request.query.get('marker');
    const start = marker === null ? 0 : all.findIndex((server) => server.id === marker) + 1;
    if (marker !== null && start === 0) return novaError(400, 'badRequest', `marker [${marker}] not found`);
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length;
    return json(200, {
      servers: page.map(view),
      ...(next
        ? { servers_links: [{ rel: 'next', href: `${base}/compute/v2.1/servers/detail?marker=${page.at(-1)?.id}` }] }
        : {}),
    });
  };

  const server = await createFakeApiServer({
    authenticate,
    faultResponse: (fault) =>
      fault === 'insufficient-capacity' ? novaError(500, 'computeFault', noValidHost) : faultBodies[fault],
    routes: [
      { method: 'POST', path: '/identity/v3/auth/tokens', handler: issueToken },
      { name: 'GET servers', method: 'GET', path: '/compute/v2.1/servers/detail', handler: listServers },
      {
        method: 'GET',
        path: '/compute/v2.1/servers/:id',
        handler: ({ params }) => {
          const found = servers.get(params.id as string);
          if (!found) return novaError(404, 'itemNotFound', `Instance ${params.id} could not be found.`);
          const shown = view(found);
          advance(found);
          return json(200, { server: shown });
        },
      },
      { name: 'POST servers', method: 'POST', path: '/compute/v2.1/servers', handler: createServer },
      {
        method: 'DELETE',
        path: '/compute/v2.1/servers/:id',
        handler: ({ params }) => {
          const found = servers.get(params.id as string);
          if (!found) return novaError(404, 'itemNotFound', `Instance ${params.id} could not be found.`);
          found['OS-EXT-STS:task_state'] = 'deleting';
          return json(204);
        },
      },
      {
        method: 'GET',
        path: '/compute/v2.1/flavors',
        handler: () =>
          json(200, { flavors: FAKE_OPENSTACK_DEFAULTS.flavors.map(({ id, name }) => ({ id, name, links: [] })) }),
      },
      {
        method: 'GET',
        path: '/image/v2/images/:id',
        handler: ({ params }) =>
          params.id === FAKE_OPENSTACK_DEFAULTS.imageId
            ? json(200, { id: params.id, name: 'ubuntu-22.04', status: 'active', min_disk: 10 })
            : { status: 404, body: '<html><body><h1>404 Not Found</h1>No image found with ID</body></html>' },
      },
      ...cinderRoutes(volumes),
    ],
  });
  base = server.url;
  const fake: FakeOpenstackServer = {
    url: server.url,
    server,
    servers,
    volumes,
    issuedTokens,
    failNextBuild(faultMessage = noValidHost) {
      buildFault = faultMessage;
    },
    failNextCreate(fault) {
      if (fault === 'insufficient-capacity') buildFault = noValidHost;
      else server.failNext({ route: 'POST servers', fault });
    },
    revokeAllTokens() {
      tokens.clear();
    },
    close: () => server.close(),
  };
  return fake;
}

function cinderRoutes(volumes: Map<string, FakeCinderVolume>) {
  const root = `/volume/v3/${PROJECT_ID}/volumes`;
  const notFound = (id: string) =>
    json(404, { itemNotFound: { code: 404, message: `Volume ${id} could not be found.` } });
  return [
    {
      method: 'POST',
      path: root,
      handler: (request: FakeApiRequest) => {
        const body = (request.body as { volume?: Record<string, unknown> })?.volume ?? {};
        if (typeof body.size !== 'number' || body.size < 1)
          return json(400, { badRequest: { code: 400, message: 'Invalid input received: size' } });
        if (body.volume_type !== undefined && !FAKE_OPENSTACK_DEFAULTS.volumeTypes.includes(String(body.volume_type))) {
          return json(404, {
            itemNotFound: {
              code: 404,
              message: `Volume type with name ${String(body.volume_type)} could not be found.`,
            },
          });
        }
        const volume: FakeCinderVolume = {
          id: randomUUID(),
          name: String(body.name ?? ''),
          status: 'creating',
          size: body.size,
          volume_type: (body.volume_type as string | undefined) ?? null,
          metadata: { ...(body.metadata as Record<string, string>) },
          ...(typeof body.imageRef === 'string' ? { imageRef: body.imageRef } : {}),
        };
        volumes.set(volume.id, volume);
        return json(202, { volume });
      },
    },
    {
      method: 'GET',
      path: `${root}/detail`,
      handler: (request: FakeApiRequest) => {
        const filter = JSON.parse(request.query.get('metadata') ?? '{}') as Record<string, string>;
        const matching = [...volumes.values()].filter((volume) =>
          Object.entries(filter).every(([key, value]) => volume.metadata[key] === value),
        );
        return json(200, { volumes: matching });
      },
    },
    {
      method: 'GET',
      path: `${root}/:id`,
      handler: ({ params }: FakeApiRequest) => {
        const volume = volumes.get(params.id as string);
        if (!volume) return notFound(params.id as string);
        const shown = { ...volume };
        if (volume.status === 'creating') volume.status = 'available';
        return json(200, { volume: shown });
      },
    },
    {
      method: 'DELETE',
      path: `${root}/:id`,
      handler: ({ params }: FakeApiRequest) => {
        const volume = volumes.get(params.id as string);
        if (!volume) return notFound(params.id as string);
        if (volume.status === 'in-use')
          return json(400, { badRequest: { code: 400, message: 'Volume status must be available or error' } });
        volumes.delete(volume.id);
        return json(202);
      },
    },
  ];
}
