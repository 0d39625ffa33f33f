import type { protos } from '@google-cloud/compute';
import type { DNSOptions } from '@google-cloud/dns';

type ClientOptions = NonNullable<
  ConstructorParameters<typeof import('@google-cloud/compute/build/src/v1/instances_client.js').InstancesClient>[0]
>;

export type GcpInstance = protos.google.cloud.compute.v1.IInstance;
export type GcpOperation = protos.google.cloud.compute.v1.IOperation;
export type GcpMachineType = protos.google.cloud.compute.v1.IMachineType;

/** An auth client of google-auth-library (OAuth2Client, GoogleAuth, Impersonated, ...). */
export type GcpAuthClient = object;

/** Per-call options every client method takes. */
export interface GcpCallOptions {
  abortSignal?: AbortSignal | undefined;
}

/** An instance and the zone it lives in (from the aggregated listing). */
export interface GcpZonedInstance {
  /** Zone name, e.g. `us-east4-b`. */
  zone: string;
  instance: GcpInstance;
}

/** The Compute Engine calls the adapter makes: the narrow seam tests and custom clients implement. */
export interface GcpComputeClient {
  /** `instances.insert`; resolves with the zonal operation. */
  insertInstance(
    input: { project: string; zone: string; requestId: string; instanceResource: GcpInstance },
    options: GcpCallOptions,
  ): Promise<GcpOperation>;
  /** `instances.delete`; resolves with the zonal operation. */
  deleteInstance(
    input: { project: string; zone: string; instance: string; requestId: string },
    options: GcpCallOptions,
  ): Promise<GcpOperation>;
  getInstance(
    input: { project: string; zone: string; instance: string },
    options: GcpCallOptions,
  ): Promise<GcpInstance>;
  /** `instances.aggregatedList` over every zone and page, with a server-side `filter`. */
  listInstances(
    input: { project: string; filter: string; maxResults: number },
    options: GcpCallOptions,
  ): Promise<GcpZonedInstance[]>;
  /** `zoneOperations.wait`: returns when the operation is DONE or after about two minutes. */
  waitZoneOperation(
    input: { project: string; zone: string; operation: string },
    options: GcpCallOptions,
  ): Promise<GcpOperation>;
  getMachineType(
    input: { project: string; zone: string; machineType: string },
    options: GcpCallOptions,
  ): Promise<GcpMachineType>;
  /** Releases sockets. Optional. */
  close?(): Promise<void>;
}

/** A Cloud DNS resource record set as the REST API shows it (names end with a dot). */
export interface GcpDnsRecordSet {
  name: string;
  type: string;
  ttl: number;
  rrdatas: string[];
}

/** A Cloud DNS managed zone: its resource name and the DNS name it serves (ends with a dot). */
export interface GcpManagedZone {
  name: string;
  dnsName: string;
}

/** The Cloud DNS calls the DNS adapter makes. */
export interface GcpDnsClient {
  listManagedZones(
    input: { project: string; pageToken?: string | undefined },
    options: GcpCallOptions,
  ): Promise<{ zones: GcpManagedZone[]; nextPageToken?: string | undefined }>;
  /** Record sets of a zone, one page; `name` and `type` narrow the listing. */
  listRecordSets(
    input: {
      project: string;
      managedZone: string;
      pageToken?: string | undefined;
      name?: string | undefined;
      type?: string | undefined;
    },
    options: GcpCallOptions,
  ): Promise<{ recordSets: GcpDnsRecordSet[]; nextPageToken?: string | undefined }>;
  /** One atomic change: deletions must match existing record sets exactly. */
  changeRecordSets(
    input: { project: string; managedZone: string; additions: GcpDnsRecordSet[]; deletions: GcpDnsRecordSet[] },
    options: GcpCallOptions,
  ): Promise<void>;
}

/** Credentials of a service account key, as the SDKs take them. */
export interface GcpServiceAccountCredentials {
  client_email: string;
  private_key: string;
}

/** Options of the SDK-backed clients. */
export interface GcpSdkClientOptions {
  /** `https://host[:port]` or `http://…` for tests; undefined for the public endpoint. */
  endpoint: string | undefined;
  credentials: GcpServiceAccountCredentials | undefined;
  authClient: GcpAuthClient | undefined;
  projectId: string;
}

/** Per-call timeout of plain calls; `wait` returns within about two minutes by itself. */
const callTimeoutMs = 60_000;
const waitTimeoutMs = 150_000;

/** A promise that can be cancelled, as google-gax returns them. */
type CancellablePromise<T> = Promise<T> & { cancel?: () => void };

/**
 * Runs a call and rejects with the signal's reason once the signal aborts (cancelling the call when
 * it can be cancelled).
 */
export async function callWithAbort<T>(
  start: () => CancellablePromise<T>,
  abortSignal: AbortSignal | undefined,
): Promise<T> {
  abortSignal?.throwIfAborted();
  const call = start();
  if (!abortSignal) return call;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      call.cancel?.();
      reject(abortSignal.reason);
    };
    abortSignal.addEventListener('abort', onAbort, { once: true });
  });
  call.catch(() => undefined);
  try {
    return await Promise.race([call, aborted]);
  } finally {
    if (onAbort) abortSignal.removeEventListener('abort', onAbort);
  }
}

/** Client options of google-gax's REST transport for the endpoint, auth and project. */
function gaxClientOptions(options: GcpSdkClientOptions): ClientOptions {
  const endpoint = options.endpoint === undefined ? undefined : new URL(options.endpoint);
  return {
    fallback: true,
    projectId: options.projectId,
    ...(endpoint
      ? {
          apiEndpoint: endpoint.hostname,
          protocol: endpoint.protocol.replace(':', ''),
          port: endpoint.port === '' ? (endpoint.protocol === 'http:' ? 80 : 443) : Number(endpoint.port),
        }
      : {}),
    ...(options.authClient
      ? { authClient: options.authClient as ClientOptions['authClient'] }
      : options.credentials
        ? { credentials: options.credentials }
        : {}),
  };
}

/** No retries inside the SDK: Headroom's reconciler retries retryable errors with backoff and jitter. */
const noRetry = { retry: null, timeout: callTimeoutMs } as const;

/**
 * Creates the Compute seam on `@google-cloud/compute` (REST transport), loaded on first use. Only
 * the three v1 clients are loaded: the package index also loads every API version's static protos
 * (30 MB), which costs seconds.
 */
export async function createGcpSdkComputeClient(options: GcpSdkClientOptions): Promise<GcpComputeClient> {
  const [{ InstancesClient }, { ZoneOperationsClient }, { MachineTypesClient }] = await Promise.all([
    import('@google-cloud/compute/build/src/v1/instances_client.js'),
    import('@google-cloud/compute/build/src/v1/zone_operations_client.js'),
    import('@google-cloud/compute/build/src/v1/machine_types_client.js'),
  ]);
  const clientOptions = gaxClientOptions(options);
  const instances = new InstancesClient(clientOptions);
  const operations = new ZoneOperationsClient(clientOptions);
  const machineTypes = new MachineTypesClient(clientOptions);
  return {
    async insertInstance(input, { abortSignal }) {
      const [operation] = await callWithAbort(() => instances.insert(input, noRetry), abortSignal);
      return operation.latestResponse as GcpOperation;
    },
    async deleteInstance(input, { abortSignal }) {
      const [operation] = await callWithAbort(() => instances.delete(input, noRetry), abortSignal);
      return operation.latestResponse as GcpOperation;
    },
    async getInstance(input, { abortSignal }) {
      const [instance] = await callWithAbort(() => instances.get(input, noRetry), abortSignal);
      return instance;
    },
    async listInstances(input, { abortSignal }) {
      abortSignal?.throwIfAborted();
      const found: GcpZonedInstance[] = [];
      const iterable = instances.aggregatedListAsync(
        { ...input, returnPartialSuccess: false },
        { ...noRetry, autoPaginate: false },
      );
      const iterator = iterable[Symbol.asyncIterator]();
      for (;;) {
        const next = await callWithAbort(() => iterator.next(), abortSignal);
        if (next.done) return found;
        const [scope, scoped] = next.value;
        const zone = scope.startsWith('zones/') ? scope.slice('zones/'.length) : scope;
        for (const instance of scoped.instances ?? []) found.push({ zone, instance });
      }
    },
    async waitZoneOperation(input, { abortSignal }) {
      const [operation] = await callWithAbort(
        () => operations.wait(input, { ...noRetry, timeout: waitTimeoutMs }),
        abortSignal,
      );
      return operation;
    },
    async getMachineType(input, { abortSignal }) {
      const [machineType] = await callWithAbort(() => machineTypes.get(input, noRetry), abortSignal);
      return machineType;
    },
    async close() {
      await Promise.all([instances.close(), operations.close(), machineTypes.close()]);
    },
  };
}

interface SdkRecord {
  type?: string;
  metadata?: { name?: string; type?: string; ttl?: number; rrdatas?: string[]; data?: string | string[] };
}

function toRecordSet(record: SdkRecord): GcpDnsRecordSet {
  const metadata = record.metadata ?? {};
  const data = metadata.rrdatas ?? metadata.data ?? [];
  return {
    name: metadata.name ?? '',
    type: (metadata.type ?? record.type ?? '').toUpperCase(),
    ttl: metadata.ttl ?? 0,
    rrdatas: Array.isArray(data) ? data : [data],
  };
}

/** Promisified callback call, rejecting with the signal's reason on abort. */
function callbackWithAbort(
  start: (callback: (error: Error | null, ...results: unknown[]) => void) => void,
  abortSignal: AbortSignal | undefined,
): Promise<unknown[]> {
  return callWithAbort(
    () =>
      new Promise<unknown[]>((resolve, reject) => {
        start((error, ...results) => (error ? reject(error) : resolve(results)));
      }),
    abortSignal,
  );
}

/** Creates the Cloud DNS seam on `@google-cloud/dns`, loaded on first use. */
export async function createGcpSdkDnsClient(options: GcpSdkClientOptions): Promise<GcpDnsClient> {
  const { DNS } = await import('@google-cloud/dns');
  const endpoint = options.endpoint === undefined ? undefined : new URL(options.endpoint);
  // `timeout`, `interceptors_` and `useAuthWithCustomEndpoint` are options of @google-cloud/common's Service.
  const dnsOptions: DNSOptions & Record<string, unknown> = {
    projectId: options.projectId,
    ...(endpoint ? { apiEndpoint: endpoint.host, useAuthWithCustomEndpoint: true } : {}),
    ...(options.authClient
      ? { authClient: options.authClient as never }
      : options.credentials
        ? { credentials: options.credentials }
        : {}),
    timeout: callTimeoutMs,
    // No retries inside the SDK: the reconciler retries retryable errors itself.
    interceptors_: [
      {
        request: (requestOptions: Record<string, unknown>) => ({ ...requestOptions, maxRetries: 0 }),
      },
    ],
  };
  const dns = new DNS(dnsOptions);
  return {
    async listManagedZones({ pageToken }, { abortSignal }) {
      const [zones, nextQuery] = await callbackWithAbort(
        (callback) => dns.getZones({ autoPaginate: false, ...(pageToken ? { pageToken } : {}) }, callback as never),
        abortSignal,
      );
      return {
        zones: ((zones as { name: string; metadata: { dnsName?: string } }[] | null) ?? []).map((zone) => ({
          name: zone.name,
          dnsName: zone.metadata.dnsName ?? '',
        })),
        nextPageToken: (nextQuery as { pageToken?: string } | null)?.pageToken,
      };
    },
    async listRecordSets({ managedZone, pageToken, name, type }, { abortSignal }) {
      const query = {
        autoPaginate: false,
        ...(pageToken ? { pageToken } : {}),
        ...(name ? { name } : {}),
        ...(type ? { type } : {}),
      };
      const [records, nextQuery] = await callbackWithAbort(
        (callback) => dns.zone(managedZone).getRecords(query, callback as never),
        abortSignal,
      );
      return {
        recordSets: ((records as SdkRecord[] | null) ?? []).map(toRecordSet),
        nextPageToken: (nextQuery as { pageToken?: string } | null)?.pageToken,
      };
    },
    async changeRecordSets({ managedZone, additions, deletions }, { abortSignal }) {
      const zone = dns.zone(managedZone);
      const toRecord = (recordSet: GcpDnsRecordSet) =>
        zone.record(recordSet.type.toLowerCase(), {
          name: recordSet.name,
          ttl: recordSet.ttl,
          data: recordSet.rrdatas,
        });
      await callbackWithAbort(
        (callback) =>
          zone.createChange(
            {
              ...(additions.length > 0 ? { add: additions.map(toRecord) } : {}),
              ...(deletions.length > 0 ? { delete: deletions.map(toRecord) } : {}),
            },
            callback as never,
          ),
        abortSignal,
      );
    },
  };
}
