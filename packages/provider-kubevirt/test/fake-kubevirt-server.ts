import { randomUUID } from 'node:crypto';
import {
  type ConformanceFault,
  createFakeApiServer,
  type FakeApiRequest,
  type FakeApiResponse,
  type FakeApiServer,
  paginate,
} from '@headroom/testkit';
import { matchesLabelSelector, parseLabelSelector } from './fake-kubernetes-selector.js';

/**
 * An in-process HTTPS fake (the test certificate; client-node refuses plain HTTP) of the Kubernetes API for the resources the adapter uses, speaking the real
 * wire format so that `@kubernetes/client-node` runs unchanged: JSON objects with `uid`,
 * `resourceVersion`, `generation`, `creationTimestamp`; `Status` objects on 401/403/404/409/422;
 * label selectors (equality, set, existence); `limit` + `continue` paging; bearer-token auth;
 * ResourceQuota refusals (403 `exceeded quota`) on object counts.
 *
 * It has no controllers of its own: the optional `controller` plays KubeVirt + CDI when a VM is
 * created (VMI with status and interfaces, DataVolumes and PVCs of the VM's templates, Harvester's
 * PVCs from `harvesterhci.io/volumeClaimTemplates`), and can make the next VM unschedulable.
 * No garbage collection, no admission webhooks, no schema validation beyond names and labels.
 */

export type FakeKubernetesObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
};

interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

const resourceTypes: ResourceType[] = [
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' },
  { group: '', version: 'v1', plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim' },
  { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', kind: 'VirtualMachine' },
  { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstances', kind: 'VirtualMachineInstance' },
  { group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datavolumes', kind: 'DataVolume' },
];

export type FakePlural =
  | 'secrets'
  | 'persistentvolumeclaims'
  | 'virtualmachines'
  | 'virtualmachineinstances'
  | 'datavolumes';

const dnsSubdomain = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelName = /^([a-z0-9.-]{1,253}\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

const qualifiedName = (type: ResourceType) => (type.group ? `${type.plural}.${type.group}` : type.plural);

export function kubernetesStatus(code: number, reason: string, message: string, details: object = {}): FakeApiResponse {
  return {
    status: code,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code },
  };
}

export interface FakeKubevirtServerOptions {
  /** Namespaces that exist. Default `['headroom']`. */
  namespaces?: string[];
  /** Bearer token the server accepts. Default `fake-token`. */
  token?: string;
  /** ResourceQuota on object counts per namespace and plural (`count/virtualmachines.kubevirt.io`). */
  quota?: Partial<Record<FakePlural, number>>;
  /** Page size cap for lists (the client's `limit` is honoured below it). Default 500. */
  maxPageSize?: number;
  /** Play the KubeVirt/CDI/Harvester controllers when a VM is created. Default true. */
  controller?: boolean;
  /** Milliseconds since the epoch for `creationTimestamp`. Default: the system clock. */
  now?: () => number;
}

export interface FakeKubevirtServer extends FakeApiServer {
  /** The objects of one plural (in all namespaces), sorted by name. */
  objects(plural: FakePlural): FakeKubernetesObject[];
  /** Stores an object as a controller or a human with kubectl would (no checks). */
  put(plural: FakePlural, object: FakeKubernetesObject): FakeKubernetesObject;
  /** Removes an object; true when it existed. */
  drop(plural: FakePlural, namespace: string, name: string): boolean;
  /** The next VM the controller starts is unschedulable (`ErrorUnschedulable`, `PodScheduled=False`). */
  failNextScheduling(options?: { reason?: 'Unschedulable' | 'quota' }): void;
  /** Answers the next create of this plural with a conformance fault (in the API's own Status shape). */
  failNextCreate(plural: FakePlural, fault: ConformanceFault | FakeApiResponse): void;
}

/**
 * Starts the fake Kubernetes API over HTTPS on loopback.
 * Length: one small handler per API call over the fake cluster's state in closure; splitting it
 * would only thread that state through parameters.
 */
export async function startFakeKubevirtServer(options: FakeKubevirtServerOptions = {}): Promise<FakeKubevirtServer> {
  const namespaces = new Set(options.namespaces ?? ['headroom']);
  const token = options.token ?? 'fake-token';
  const now = options.now ?? (() => Date.now());
  const maxPageSize = options.maxPageSize ?? 500;
  const store = new Map<string, Map<string, FakeKubernetesObject>>(
    resourceTypes.map((type) => [type.plural, new Map()]),
  );
  let resourceVersion = 1000;
  let addressSequence = 10;
  const schedulingFaults: ('Unschedulable' | 'quota')[] = [];

  const key = (namespace: string, name: string) => `${namespace}/${name}`;
  const bucket = (plural: string) => store.get(plural) as Map<string, FakeKubernetesObject>;
  const typeOf = (plural: string) => resourceTypes.find((type) => type.plural === plural) as ResourceType;
  const clone = <T>(value: T): T => structuredClone(value);

  const stamp = (type: ResourceType, namespace: string, object: FakeKubernetesObject): FakeKubernetesObject => {
    resourceVersion += 1;
    const stored = clone(object);
    stored.apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    stored.kind = type.kind;
    stored.metadata = {
      ...stored.metadata,
      namespace,
      uid: randomUUID(),
      resourceVersion: String(resourceVersion),
      generation: 1,
      creationTimestamp: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    return stored;
  };

  const put = (plural: FakePlural, object: FakeKubernetesObject): FakeKubernetesObject => {
    const namespace = object.metadata.namespace ?? 'headroom';
    const stored = object.metadata.uid ? clone(object) : stamp(typeOf(plural), namespace, object);
    stored.metadata.namespace = namespace;
    bucket(plural).set(key(namespace, stored.metadata.name), stored);
    return stored;
  };

  /** KubeVirt + CDI + Harvester, synchronously: what a cluster shows a few seconds after the create. */
  const startVirtualMachine = (virtualMachine: FakeKubernetesObject) => {
    const namespace = virtualMachine.metadata.namespace as string;
    const name = virtualMachine.metadata.name;
    const spec = virtualMachine.spec ?? {};
    for (const template of (spec.dataVolumeTemplates ?? []) as FakeKubernetesObject[]) {
      const metadata = { name: template.metadata.name, namespace, labels: template.metadata.labels ?? {} };
      put('datavolumes', { metadata, spec: template.spec ?? {}, status: { phase: 'Succeeded', progress: '100.0%' } });
      put('persistentvolumeclaims', { metadata: clone(metadata), spec: {}, status: { phase: 'Bound' } });
    }
    const claimTemplates = virtualMachine.metadata.annotations?.['harvesterhci.io/volumeClaimTemplates'];
    for (const template of (claimTemplates ? JSON.parse(claimTemplates) : []) as FakeKubernetesObject[]) {
      put('persistentvolumeclaims', {
        metadata: { ...template.metadata, namespace },
        spec: template.spec ?? {},
        status: { phase: 'Bound' },
      });
    }
    const templateLabels = ((spec.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata
      ?.labels ?? {}) as Record<string, string>;
    const fault = schedulingFaults.shift();
    if (fault === 'Unschedulable') {
      virtualMachine.status = {
        printableStatus: 'ErrorUnschedulable',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient memory.',
          },
        ],
      };
      put('virtualmachineinstances', {
        metadata: { name, namespace, labels: templateLabels },
        status: { phase: 'Scheduling', conditions: virtualMachine.status.conditions },
      });
      return;
    }
    if (fault === 'quota') {
      virtualMachine.status = {
        printableStatus: 'Starting',
        conditions: [
          {
            type: 'Failure',
            status: 'True',
            reason: 'FailedCreate',
            message: `pods "virt-launcher-${name}-x7k2p" is forbidden: exceeded quota: compute, requested: requests.memory=4Gi, used: requests.memory=14Gi, limited: requests.memory=16Gi`,
          },
        ],
      };
      return;
    }
    addressSequence += 1;
    const address = `10.244.0.${addressSequence}`;
    virtualMachine.status = { printableStatus: 'Running', ready: true, created: true };
    put('virtualmachineinstances', {
      metadata: { name, namespace, labels: templateLabels },
      status: {
        phase: 'Running',
        interfaces: [
          {
            name: 'default',
            ipAddress: address,
            ipAddresses: [address, 'fd10:244::a'],
            infoSource: 'domain, guest-agent',
          },
        ],
      },
    });
  };

  const countIn = (plural: string, namespace: string) =>
    [...bucket(plural).values()].filter((object) => object.metadata.namespace === namespace).length;

  const routeType = (request: FakeApiRequest): ResourceType | undefined => {
    const { group = '', version, plural } = request.params;
    return resourceTypes.find((type) => type.group === group && type.version === version && type.plural === plural);
  };

  const notFoundResource = () => kubernetesStatus(404, 'NotFound', 'the server could not find the requested resource');

  const create = (request: FakeApiRequest): FakeApiResponse => {
    const type = routeType(request);
    if (!type) return notFoundResource();
    const namespace = request.params.namespace as string;
    const body = request.body as FakeKubernetesObject | undefined;
    const name = body?.metadata?.name;
    if (!name || !dnsSubdomain.test(name)) {
      return kubernetesStatus(422, 'Invalid', `${type.kind} "${name ?? ''}" is invalid: metadata.name: Invalid value`, {
        name,
        kind: type.plural,
        causes: [{ field: 'metadata.name', message: 'Invalid value' }],
      });
    }
    for (const [label, value] of Object.entries(body.metadata.labels ?? {})) {
      if (!labelName.test(label) || value.length > 63 || !labelValue.test(value)) {
        return kubernetesStatus(
          422,
          'Invalid',
          `${type.kind} "${name}" is invalid: metadata.labels: Invalid value: "${value}"`,
          {
            name,
            kind: type.plural,
            causes: [{ field: 'metadata.labels', message: 'Invalid value' }],
          },
        );
      }
    }
    if (!namespaces.has(namespace))
      return kubernetesStatus(404, 'NotFound', `namespaces "${namespace}" not found`, {
        name: namespace,
        kind: 'namespaces',
      });
    if (bucket(type.plural).has(key(namespace, name))) {
      return kubernetesStatus(409, 'AlreadyExists', `${qualifiedName(type)} "${name}" already exists`, {
        name,
        group: type.group,
        kind: type.plural,
      });
    }
    const limit = options.quota?.[type.plural as FakePlural];
    if (limit !== undefined && countIn(type.plural, namespace) >= limit) {
      const resource = `count/${qualifiedName(type)}`;
      return kubernetesStatus(
        403,
        'Forbidden',
        `${qualifiedName(type)} "${name}" is forbidden: exceeded quota: headroom-quota, requested: ${resource}=1, used: ${resource}=${limit}, limited: ${resource}=${limit}`,
        { name, group: type.group, kind: type.plural },
      );
    }
    const stored = stamp(type, namespace, body);
    if (type.plural === 'virtualmachines' && (options.controller ?? true)) startVirtualMachine(stored);
    bucket(type.plural).set(key(namespace, name), stored);
    return { status: 201, body: stored };
  };

  /** The object a request names, or the Status to answer (404 for an unknown API or a missing object). */
  const lookup = (
    request: FakeApiRequest,
  ): { type: ResourceType; namespace: string; name: string; existing: FakeKubernetesObject } | FakeApiResponse => {
    const type = routeType(request);
    if (!type) return notFoundResource();
    const { namespace = '', name = '' } = request.params;
    const existing = bucket(type.plural).get(key(namespace, name));
    if (!existing) {
      return kubernetesStatus(404, 'NotFound', `${qualifiedName(type)} "${name}" not found`, {
        name,
        group: type.group,
        kind: type.plural,
      });
    }
    return { type, namespace, name, existing };
  };

  const read = (request: FakeApiRequest): FakeApiResponse => {
    const found = lookup(request);
    return 'status' in found ? found : { status: 200, body: found.existing };
  };

  const list = (request: FakeApiRequest): FakeApiResponse => {
    const type = routeType(request);
    if (!type) return notFoundResource();
    let requirements: ReturnType<typeof parseLabelSelector>;
    try {
      requirements = parseLabelSelector(request.query.get('labelSelector') ?? '');
    } catch (error) {
      return kubernetesStatus(400, 'BadRequest', (error as Error).message);
    }
    const namespace = request.params.namespace as string;
    const matching = [...bucket(type.plural).values()]
      .filter((object) => object.metadata.namespace === namespace)
      .filter((object) => matchesLabelSelector(object.metadata.labels ?? {}, requirements))
      .sort((left, right) => (left.metadata.name < right.metadata.name ? -1 : 1));
    const limit = Number(request.query.get('limit') ?? maxPageSize);
    let page: { page: FakeKubernetesObject[]; nextToken: string | undefined };
    try {
      page = paginate(matching, {
        pageSize: Math.min(limit || maxPageSize, maxPageSize),
        token: request.query.get('continue'),
      });
    } catch {
      return kubernetesStatus(410, 'Expired', 'The provided continue parameter is too old');
    }
    return {
      status: 200,
      body: {
        apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
        kind: `${type.kind}List`,
        metadata: { resourceVersion: String(resourceVersion), ...(page.nextToken ? { continue: page.nextToken } : {}) },
        items: page.page,
      },
    };
  };

  const replace = (request: FakeApiRequest): FakeApiResponse => {
    const found = lookup(request);
    if ('status' in found) return found;
    const { type, namespace, name, existing } = found;
    const body = request.body as FakeKubernetesObject;
    const sent = body.metadata?.resourceVersion;
    if (sent !== undefined && sent !== existing.metadata.resourceVersion) {
      return kubernetesStatus(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${qualifiedName(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    resourceVersion += 1;
    const stored = {
      ...clone(body),
      metadata: { ...body.metadata, ...pick(existing.metadata), resourceVersion: String(resourceVersion) },
    };
    bucket(type.plural).set(key(namespace, name), stored);
    return { status: 200, body: stored };
  };

  const remove = (request: FakeApiRequest): FakeApiResponse => {
    const found = lookup(request);
    if ('status' in found) return found;
    const { type, namespace, name, existing } = found;
    bucket(type.plural).delete(key(namespace, name));
    if (type.plural === 'virtualmachines') bucket('virtualmachineinstances').delete(key(namespace, name));
    return {
      status: 200,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, group: type.group, kind: type.plural, uid: existing.metadata.uid },
      },
    };
  };

  const faultResponse = (fault: ConformanceFault): FakeApiResponse => {
    switch (fault) {
      case 'throttled':
        return {
          ...kubernetesStatus(429, 'TooManyRequests', 'Too many requests, please try again later.', {
            retryAfterSeconds: 1,
          }),
          headers: { 'retry-after': '1' },
        };
      case 'server-error':
        return kubernetesStatus(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out');
      case 'quota-exceeded':
        return kubernetesStatus(
          403,
          'Forbidden',
          'virtualmachines.kubevirt.io "vm" is forbidden: exceeded quota: headroom-quota, requested: count/virtualmachines.kubevirt.io=1, used: count/virtualmachines.kubevirt.io=4, limited: count/virtualmachines.kubevirt.io=4',
        );
      case 'insufficient-capacity':
        throw new TypeError('insufficient capacity is a scheduling outcome: use failNextScheduling');
    }
  };

  const collection = [
    '/api/:version/namespaces/:namespace/:plural',
    '/apis/:group/:version/namespaces/:namespace/:plural',
  ];
  const item = collection.map((path) => `${path}/:name`);
  const server = await createFakeApiServer({
    tls: true,
    routes: [
      ...collection.map((path) => ({ method: 'GET', path, handler: list })),
      ...collection.map((path) => ({ name: `POST ${path}`, method: 'POST', path, handler: create })),
      ...item.map((path) => ({ method: 'GET', path, handler: read })),
      ...item.map((path) => ({ method: 'PUT', path, handler: replace })),
      ...item.map((path) => ({ method: 'DELETE', path, handler: remove })),
    ],
    authenticate: (request) =>
      request.headers.authorization === `Bearer ${token}`
        ? undefined
        : kubernetesStatus(401, 'Unauthorized', 'Unauthorized'),
    faultResponse,
  });

  return Object.assign(server, {
    objects: (plural: FakePlural) =>
      [...bucket(plural).values()]
        .sort((left, right) => (left.metadata.name < right.metadata.name ? -1 : 1))
        .map(clone),
    put,
    drop: (plural: FakePlural, namespace: string, name: string) => bucket(plural).delete(key(namespace, name)),
    failNextScheduling: (failure: { reason?: 'Unschedulable' | 'quota' } = {}) => {
      schedulingFaults.push(failure.reason ?? 'Unschedulable');
    },
    failNextCreate: (plural: FakePlural, fault: ConformanceFault | FakeApiResponse) => {
      server.failNext({ match: (request) => request.method === 'POST' && request.path.endsWith(`/${plural}`), fault });
    },
  });
}

function pick(metadata: FakeKubernetesObject['metadata']) {
  return { uid: metadata.uid, creationTimestamp: metadata.creationTimestamp, namespace: metadata.namespace };
}
