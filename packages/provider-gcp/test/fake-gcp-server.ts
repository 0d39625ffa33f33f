import {
  type ConformanceFault,
  createFakeApiServer,
  createIdempotencyMap,
  type FakeApiRequest,
  type FakeApiResponse,
  type FakeApiServer,
  paginate,
} from '@headroom/testkit';

/**
 * A local stateful fake of the Compute Engine REST API (v1), shaped on the published reference:
 * instances insert/get/delete/aggregatedList with label filters and pages, zonal operations with
 * `wait`, machine types, `requestId` replay, Google error bodies, and a bearer token check. The
 * real `@google-cloud/compute` client reaches it through `apiEndpoint`/`port`/`protocol` with the
 * REST transport.
 */

export const FAKE_GCP_DEFAULTS = {
  project: 'headroom-fake-1',
  region: 'us-east4',
  zone: 'us-east4-b',
  accessToken: 'fake-gcp-access-token',
  image: 'projects/ubuntu-os-cloud/global/images/ubuntu-2204-jammy-v20240101',
  imageFamily: 'projects/ubuntu-os-cloud/global/images/family/ubuntu-2204-lts',
  network: 'projects/headroom-fake-1/global/networks/default',
  subnetwork: 'projects/headroom-fake-1/regions/us-east4/subnetworks/default',
} as const;

const machineTypes: Record<string, { guestCpus: number; memoryMb: number; gpus?: [string, number] }> = {
  'e2-standard-2': { guestCpus: 2, memoryMb: 8192 },
  'e2-standard-4': { guestCpus: 4, memoryMb: 16_384 },
  'n1-standard-4': { guestCpus: 4, memoryMb: 15_360 },
  'g2-standard-4': { guestCpus: 4, memoryMb: 16_384, gpus: ['nvidia-l4', 1] },
};
const diskTypes = new Set(['pd-standard', 'pd-balanced', 'pd-ssd', 'pd-extreme', 'hyperdisk-balanced']);
const acceleratorTypes = new Set(['nvidia-tesla-t4', 'nvidia-l4', 'nvidia-tesla-a100']);
const namePattern = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const labelKeyPattern = /^[a-z][a-z0-9_-]{0,62}$/;
const labelValuePattern = /^[a-z0-9_-]{0,63}$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Json = Record<string, unknown>;

/** A Google API error body (`{ error: { code, message, errors: [{ reason }] } }`). */
export function googleError(options: {
  status: number;
  reason: string;
  message: string;
  domain?: string;
  errorInfoReason?: string;
}): FakeApiResponse {
  return {
    status: options.status,
    body: {
      error: {
        code: options.status,
        message: options.message,
        errors: [{ message: options.message, domain: options.domain ?? 'global', reason: options.reason }],
        ...(options.errorInfoReason
          ? {
              details: [
                {
                  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                  reason: options.errorInfoReason,
                  domain: 'compute.googleapis.com',
                },
              ],
            }
          : {}),
      },
    },
  };
}

const notFound = (resource: string) =>
  googleError({ status: 404, reason: 'notFound', message: `The resource '${resource}' was not found` });

const invalid = (field: string, message: string) =>
  googleError({ status: 400, reason: 'invalid', message: `Invalid value for field '${field}': ${message}` });

/** The answer of a conformance fault, in Compute Engine's own shapes. */
function computeFaultResponse(fault: ConformanceFault, request: FakeApiRequest): FakeApiResponse {
  switch (fault) {
    case 'insufficient-capacity':
      // Capacity shortages surface in the insert operation, which is DONE with an error.
      return {
        status: 200,
        body: {
          kind: 'compute#operation',
          id: '9000000000000000001',
          name: 'operation-stockout',
          operationType: 'insert',
          status: 'DONE',
          zone: `projects/${request.params.project ?? FAKE_GCP_DEFAULTS.project}/zones/${request.params.zone ?? FAKE_GCP_DEFAULTS.zone}`,
          httpErrorStatusCode: 503,
          error: {
            errors: [
              {
                code: 'ZONE_RESOURCE_POOL_EXHAUSTED',
                message: `The zone '${request.params.zone}' does not have enough resources available to fulfill the request. Try a different zone, or try again later.`,
              },
            ],
          },
        },
      };
    case 'quota-exceeded':
      return googleError({
        status: 403,
        reason: 'quotaExceeded',
        domain: 'usageLimits',
        errorInfoReason: 'QUOTA_EXCEEDED',
        message: "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-east4.",
      });
    case 'throttled':
      return googleError({
        status: 403,
        reason: 'rateLimitExceeded',
        domain: 'usageLimits',
        message: 'Rate Limit Exceeded',
      });
    case 'server-error':
      return googleError({ status: 503, reason: 'backendError', message: 'Backend Error' });
  }
}

export interface FakeGcpComputeServer extends FakeApiServer {
  /** Base URL to pass as the provider's `endpoint`. */
  endpoint: string;
  /** Live instances by `<zone>/<name>`. */
  readonly instances: Map<string, Json>;
  /** Makes the next insert operation end DONE with this error (and create nothing). */
  failNextOperation(error: { code: string; message: string; httpErrorStatusCode?: number }): void;
}

/** Starts the Compute Engine fake on 127.0.0.1 (plain HTTP). */
export async function startFakeGcpComputeServer(
  options: {
    project?: string;
    accessToken?: string;
    /** Instances per aggregatedList page at most (and the default page size). */
    maxPageSize?: number;
    /** How many `wait` calls answer RUNNING before an operation is DONE. Default 0. */
    pendingWaits?: number;
  } = {},
): Promise<FakeGcpComputeServer> {
  const project = options.project ?? FAKE_GCP_DEFAULTS.project;
  const accessToken = options.accessToken ?? FAKE_GCP_DEFAULTS.accessToken;
  const maxPageSize = options.maxPageSize ?? 500;
  const instances = new Map<string, Json>();
  const operations = new Map<string, { operation: Json; waitsLeft: number; finish: () => void }>();
  const requestIds = createIdempotencyMap<Json>();
  const failedOperations: { code: string; message: string; httpErrorStatusCode?: number }[] = [];
  let sequence = 0;

  const selfLink = (path: string) => `https://compute.googleapis.com/compute/v1/${path}`;

  const startOperation = (
    operationType: string,
    zone: string,
    target: string,
    finish: () => void,
    failure?: { code: string; message: string; httpErrorStatusCode?: number },
  ) => {
    sequence += 1;
    const name = `operation-${sequence}-${operationType}`;
    const operation: Json = {
      kind: 'compute#operation',
      id: String(7_000_000_000_000_000_000 + sequence),
      name,
      operationType,
      zone: selfLink(`projects/${project}/zones/${zone}`),
      targetLink: selfLink(target),
      status: 'RUNNING',
      progress: 0,
      selfLink: selfLink(`projects/${project}/zones/${zone}/operations/${name}`),
    };
    const entry = {
      operation,
      waitsLeft: options.pendingWaits ?? 0,
      finish: () => {
        if (failure) {
          operation.error = { errors: [{ code: failure.code, message: failure.message }] };
          operation.httpErrorStatusCode = failure.httpErrorStatusCode ?? 400;
        } else finish();
        operation.status = 'DONE';
        operation.progress = 100;
      },
    };
    operations.set(name, entry);
    return operation;
  };

  /** Validates an insert body like Compute Engine does; the error response, or undefined. */
  const validateInsert = (zone: string, body: Json): FakeApiResponse | undefined => {
    const name = body.name;
    if (typeof name !== 'string' || !namePattern.test(name)) return invalid('resource.name', `'${String(name)}'.`);
    const machineType = String(body.machineType ?? '');
    const machineTypeName = machineType.slice(machineType.lastIndexOf('/') + 1);
    if (!machineType.startsWith(`zones/${zone}/machineTypes/`) || !machineTypes[machineTypeName]) {
      return invalid(
        'resource.machineType',
        `'${machineType}'. Machine type with name '${machineTypeName}' does not exist in zone '${zone}'.`,
      );
    }
    const disks = (body.disks as Json[] | undefined) ?? [];
    const bootDisk = disks.find((disk) => disk.boot === true);
    const params = (bootDisk?.initializeParams as Json | undefined) ?? {};
    const image = String(params.sourceImage ?? '');
    if (image !== FAKE_GCP_DEFAULTS.image && image !== FAKE_GCP_DEFAULTS.imageFamily) {
      return notFound(image);
    }
    const diskType = params.diskType === undefined ? undefined : String(params.diskType);
    if (diskType !== undefined && !diskTypes.has(diskType.slice(diskType.lastIndexOf('/') + 1))) {
      return notFound(`projects/${project}/${diskType}`);
    }
    for (const networkInterface of (body.networkInterfaces as Json[] | undefined) ?? []) {
      if (networkInterface.network !== undefined && networkInterface.network !== FAKE_GCP_DEFAULTS.network) {
        return notFound(String(networkInterface.network));
      }
      if (networkInterface.subnetwork !== undefined && networkInterface.subnetwork !== FAKE_GCP_DEFAULTS.subnetwork) {
        return notFound(String(networkInterface.subnetwork));
      }
    }
    for (const [key, value] of Object.entries((body.labels as Record<string, unknown> | undefined) ?? {})) {
      if (!labelKeyPattern.test(key) || typeof value !== 'string' || !labelValuePattern.test(value)) {
        return invalid('resource.labels', `Label '${key}' violates format constraints.`);
      }
    }
    const accelerators = (body.guestAccelerators as Json[] | undefined) ?? [];
    for (const accelerator of accelerators) {
      const type = String(accelerator.acceleratorType ?? '');
      if (!acceleratorTypes.has(type.slice(type.lastIndexOf('/') + 1))) {
        return notFound(`projects/${project}/${type}`);
      }
    }
    const scheduling = (body.scheduling as Json | undefined) ?? {};
    if (accelerators.length > 0 && scheduling.onHostMaintenance !== 'TERMINATE') {
      return invalid(
        'resource.scheduling.onHostMaintenance',
        'Instances with guest accelerators do not support live migration.',
      );
    }
    return undefined;
  };

  const insertInstance = (request: FakeApiRequest): FakeApiResponse => {
    const { zone = '' } = request.params;
    const requestId = request.query.get('requestId') ?? undefined;
    if (requestId !== undefined && !uuidPattern.test(requestId)) {
      return invalid('requestId', `'${requestId}'. The request id must be a valid UUID.`);
    }
    const body = (request.body ?? {}) as Json;
    const invalidResponse = validateInsert(zone, body);
    if (invalidResponse) return invalidResponse;
    const name = body.name as string;
    const key = `${zone}/${name}`;
    const { value } = requestIds.once(requestId === undefined ? undefined : `insert:${requestId}`, () => {
      if (instances.has(key)) return { conflict: true };
      const failure = failedOperations.shift();
      const ipSuffix = (sequence % 250) + 2;
      return startOperation(
        'insert',
        zone,
        `projects/${project}/zones/${zone}/instances/${name}`,
        () => {
          const networkInterfaces = ((body.networkInterfaces as Json[] | undefined) ?? [{}]).map((item) => ({
            ...item,
            name: 'nic0',
            networkIP: `10.150.0.${ipSuffix}`,
            accessConfigs: ((item.accessConfigs as Json[] | undefined) ?? []).map((config) => ({
              ...config,
              natIP: `203.0.113.${ipSuffix}`,
            })),
          }));
          instances.set(key, {
            ...body,
            kind: 'compute#instance',
            id: String(5_000_000_000_000_000_000 + sequence),
            status: 'RUNNING',
            zone: selfLink(`projects/${project}/zones/${zone}`),
            machineType: selfLink(`projects/${project}/${String(body.machineType)}`),
            creationTimestamp: '2026-12-01T20:15:00.000-08:00',
            networkInterfaces,
            selfLink: selfLink(`projects/${project}/zones/${zone}/instances/${name}`),
          });
        },
        failure,
      );
    });
    if (value.conflict) {
      return googleError({
        status: 409,
        reason: 'alreadyExists',
        message: `The resource 'projects/${project}/zones/${zone}/instances/${name}' already exists`,
      });
    }
    return { status: 200, body: { ...value } };
  };

  const deleteInstance = (request: FakeApiRequest): FakeApiResponse => {
    const { zone = '', instance = '' } = request.params;
    const key = `${zone}/${instance}`;
    const requestId = request.query.get('requestId') ?? undefined;
    const { value } = requestIds.once(requestId === undefined ? undefined : `delete:${requestId}`, () => {
      if (!instances.has(key)) return { missing: true };
      const found = instances.get(key) as Json;
      found.status = 'STOPPING';
      return startOperation('delete', zone, `projects/${project}/zones/${zone}/instances/${instance}`, () =>
        instances.delete(key),
      );
    });
    if (value.missing) return notFound(`projects/${project}/zones/${zone}/instances/${instance}`);
    return { status: 200, body: { ...value } };
  };

  /** `(labels.k = "v") (labels.k2 = "v2")`: the only filter form the adapter sends. */
  const parseFilter = (filter: string): [string, string][] | undefined => {
    if (filter.trim() === '') return [];
    const terms = [...filter.matchAll(/\(labels\.([a-z0-9_-]+) = "([a-z0-9_-]*)"\)/g)];
    const rest = filter.replace(/\(labels\.([a-z0-9_-]+) = "([a-z0-9_-]*)"\)/g, '').trim();
    if (rest !== '') return undefined;
    return terms.map((term) => [term[1] as string, term[2] as string]);
  };

  const aggregatedList = (request: FakeApiRequest): FakeApiResponse => {
    const terms = parseFilter(request.query.get('filter') ?? '');
    if (!terms) return invalid('filter', 'Invalid list filter expression.');
    const pageSize = Math.min(Number(request.query.get('maxResults') ?? maxPageSize), maxPageSize);
    const matching = [...instances.entries()]
      .filter(([, instance]) => {
        const labels = (instance.labels as Record<string, string> | undefined) ?? {};
        return terms.every(([key, value]) => labels[key] === value);
      })
      .sort(([left], [right]) => left.localeCompare(right));
    let page: ReturnType<typeof paginate<[string, Json]>>;
    try {
      page = paginate(matching, { pageSize, token: request.query.get('pageToken') });
    } catch {
      return invalid('pageToken', 'Invalid page token.');
    }
    const items: Record<string, Json> = {
      [`zones/${FAKE_GCP_DEFAULTS.region}-a`]: {
        warning: { code: 'NO_RESULTS_ON_PAGE', message: 'There are no results for scope on this page.' },
      },
    };
    for (const [key, instance] of page.page) {
      const scope = `zones/${key.slice(0, key.indexOf('/'))}`;
      const scoped = items[scope]?.instances ? (items[scope] as Json) : { instances: [] };
      items[scope] = scoped;
      (scoped.instances as Json[]).push(instance);
    }
    return {
      status: 200,
      body: {
        kind: 'compute#instanceAggregatedList',
        id: `projects/${project}/aggregated/instances`,
        items,
        ...(page.nextToken ? { nextPageToken: page.nextToken } : {}),
      },
    };
  };

  const waitOperation = (request: FakeApiRequest): FakeApiResponse => {
    const { zone = '', operation = '' } = request.params;
    const entry = operations.get(operation);
    if (!entry) return notFound(`projects/${project}/zones/${zone}/operations/${operation}`);
    if (entry.operation.status !== 'DONE') {
      if (entry.waitsLeft > 0) entry.waitsLeft -= 1;
      else entry.finish();
    }
    return { status: 200, body: { ...entry.operation } };
  };

  const projectGuard =
    (handler: (request: FakeApiRequest) => FakeApiResponse) =>
    (request: FakeApiRequest): FakeApiResponse =>
      request.params.project === project ? handler(request) : notFound(`projects/${request.params.project}`);

  const base = '/compute/v1/projects/:project';
  const server = await createFakeApiServer({
    authenticate: (request) =>
      request.headers.authorization === `Bearer ${accessToken}`
        ? undefined
        : googleError({
            status: 401,
            reason: 'authError',
            message: 'Request is missing required authentication credential. Expected OAuth 2 access token.',
          }),
    faultResponse: computeFaultResponse,
    routes: [
      {
        name: 'instances.insert',
        method: 'POST',
        path: `${base}/zones/:zone/instances`,
        handler: projectGuard(insertInstance),
      },
      {
        name: 'instances.get',
        method: 'GET',
        path: `${base}/zones/:zone/instances/:instance`,
        handler: projectGuard((request) => {
          const found = instances.get(`${request.params.zone}/${request.params.instance}`);
          return found
            ? { status: 200, body: found }
            : notFound(`projects/${project}/zones/${request.params.zone}/instances/${request.params.instance}`);
        }),
      },
      {
        name: 'instances.delete',
        method: 'DELETE',
        path: `${base}/zones/:zone/instances/:instance`,
        handler: projectGuard(deleteInstance),
      },
      {
        name: 'instances.aggregatedList',
        method: 'GET',
        path: `${base}/aggregated/instances`,
        handler: projectGuard(aggregatedList),
      },
      {
        name: 'zoneOperations.wait',
        method: 'POST',
        path: `${base}/zones/:zone/operations/:operation/wait`,
        handler: projectGuard(waitOperation),
      },
      {
        name: 'machineTypes.get',
        method: 'GET',
        path: `${base}/zones/:zone/machineTypes/:machineType`,
        handler: projectGuard((request) => {
          const { zone = '', machineType = '' } = request.params;
          const found = machineTypes[machineType];
          if (!found) return notFound(`projects/${project}/zones/${zone}/machineTypes/${machineType}`);
          return {
            status: 200,
            body: {
              kind: 'compute#machineType',
              name: machineType,
              zone,
              guestCpus: found.guestCpus,
              memoryMb: found.memoryMb,
              ...(found.gpus
                ? { accelerators: [{ guestAcceleratorType: found.gpus[0], guestAcceleratorCount: found.gpus[1] }] }
                : {}),
            },
          };
        }),
      },
    ],
  });
  return Object.assign(server, {
    endpoint: server.url,
    instances,
    failNextOperation(error: { code: string; message: string; httpErrorStatusCode?: number }) {
      failedOperations.push(error);
    },
  });
}
