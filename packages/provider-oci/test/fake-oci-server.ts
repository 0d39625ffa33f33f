import { createHash, randomBytes } from 'node:crypto';
import {
  type ConformanceFault,
  createFakeApiServer,
  type FakeApiRequest,
  type FakeApiResponse,
  type FakeApiServer,
} from '@headroom/testkit';
import { createOciTestKey, type OciTestKey, ociNotAuthenticated, verifyOciSignature } from './fake-oci-signature.js';

/**
 * A local, stateful fake of the OCI Core (20160918: instances, VNIC attachments, VNICs), Identity
 * (availability domains) and DNS (20180115: zones, records, RRSets) REST APIs, reached through the
 * SDK clients' `endpoint`. Every request must carry a valid OCI signature made with the test key
 * (verified with its public half). It honours `opc-retry-token`, pages with `limit` and
 * `opc-next-page`, keeps terminated instances listed as TERMINATED (as OCI does for a while), and
 * answers errors as `{ code, message }`.
 */

const ocid = (kind: string, region = 'iad') =>
  `ocid1.${kind}.oc1.${region}.${randomBytes(20).toString('hex').slice(0, 60)}`;

export const FAKE_OCI = {
  tenancyOcid: 'ocid1.tenancy.oc1..aaaaaaaafaketenancy',
  userOcid: 'ocid1.user.oc1..aaaaaaaafakeuser',
  compartmentOcid: 'ocid1.compartment.oc1..aaaaaaaafakecompartment',
  region: 'us-ashburn-1',
  availabilityDomains: ['Uocm:US-ASHBURN-AD-1', 'Uocm:US-ASHBURN-AD-2', 'Uocm:US-ASHBURN-AD-3'],
  imageOcid: 'ocid1.image.oc1.iad.aaaaaaaafakeimage',
  subnetOcid: 'ocid1.subnet.oc1.iad.aaaaaaaafakesubnet',
  nsgOcids: [
    'ocid1.networksecuritygroup.oc1.iad.aaaaaaaafakensg1',
    'ocid1.networksecuritygroup.oc1.iad.aaaaaaaafakensg2',
  ],
} as const;

const shapes: Record<string, { flex: boolean; ocpus: number; memoryInGBs: number; gpus: number }> = {
  'VM.Standard.E5.Flex': { flex: true, ocpus: 1, memoryInGBs: 16, gpus: 0 },
  'VM.Standard2.2': { flex: false, ocpus: 2, memoryInGBs: 30, gpus: 0 },
  'VM.GPU.A10.1': { flex: false, ocpus: 15, memoryInGBs: 240, gpus: 1 },
};

export interface FakeOciInstance {
  json: Record<string, unknown>;
  bootVolume: { sizeInGBs: number; vpusPerGB: number; deleted: boolean };
  vnic: Record<string, unknown>;
  attachmentId: string;
  /** The LaunchInstanceDetails as received. */
  request: Record<string, unknown>;
  terminateQuery: Record<string, string> | undefined;
}

export interface FakeOciRecord {
  domain: string;
  rtype: string;
  rdata: string;
  ttl: number;
}

export interface FakeOciServerOptions {
  key?: OciTestKey;
  /** Largest page, whatever `limit` asks. Default 1000. */
  maxPageSize?: number;
  /** Availability domains without host capacity (launches there answer "Out of host capacity."). */
  fullDomains?: string[];
  /** Instances allowed before `LimitExceeded`. Default 50. */
  instanceLimit?: number;
  /** DNS zones of the compartment. Default `example.com`. */
  zones?: string[];
}

export interface FakeOciServer {
  endpoint: string;
  key: OciTestKey;
  api: FakeApiServer;
  instances: Map<string, FakeOciInstance>;
  records: Map<string, FakeOciRecord[]>;
  /** Requests refused for their signature, with the reason. */
  refusedSignatures: string[];
  failNext(options: { route: string; fault: ConformanceFault | FakeApiResponse; count?: number }): void;
  close(): Promise<void>;
}

const error = (status: number, code: string, message: string): FakeApiResponse => ({
  status,
  headers: { 'opc-request-id': randomBytes(8).toString('hex') },
  body: { code, message },
});

const faultResponses: Record<ConformanceFault, FakeApiResponse> = {
  'insufficient-capacity': error(500, 'InternalError', 'Out of host capacity.'),
  'quota-exceeded': error(
    400,
    'LimitExceeded',
    'The following service limits were exceeded: standard-e5-core-count. Request a service limit increase from the service limits page in the console.',
  ),
  throttled: error(429, 'TooManyRequests', 'Too many requests for the user'),
  'server-error': error(500, 'InternalServerError', 'An internal server error occurred'),
};

/** One page of `items`: `limit` and `page` (an offset) in, `opc-next-page` out. */
function page(request: FakeApiRequest, items: unknown[], maxPageSize: number, wrap?: (items: unknown[]) => unknown) {
  const limit = Math.min(Number(request.query.get('limit') ?? 1000) || 1000, maxPageSize);
  const offset = Number(request.query.get('page') ?? 0) || 0;
  const slice = items.slice(offset, offset + limit);
  const headers: Record<string, string> = { 'opc-request-id': randomBytes(8).toString('hex') };
  if (offset + limit < items.length) headers['opc-next-page'] = String(offset + limit);
  return { status: 200, headers, body: wrap ? wrap(slice) : slice };
}

/** Starts the fake on 127.0.0.1 (port 0). */
export async function startFakeOciServer(options: FakeOciServerOptions = {}): Promise<FakeOciServer> {
  const key = options.key ?? createOciTestKey();
  const maxPageSize = options.maxPageSize ?? 1000;
  const instances = new Map<string, FakeOciInstance>();
  const retryTokens = new Map<string, { instanceId: string; bodyHash: string }>();
  const records = new Map<string, FakeOciRecord[]>();
  const refusedSignatures: string[] = [];
  for (const zone of options.zones ?? ['example.com']) {
    records.set(zone, [
      {
        domain: zone,
        rtype: 'SOA',
        rdata: `ns1.p68.dns.oraclecloud.net. hostmaster.${zone}. 1 3600 600 604800 1800`,
        ttl: 300,
      },
      { domain: zone, rtype: 'NS', rdata: 'ns1.p68.dns.oraclecloud.net.', ttl: 86400 },
    ]);
  }
  const live = () => [...instances.values()].filter((instance) => instance.json.lifecycleState !== 'TERMINATED');

  const launch = (request: FakeApiRequest): FakeApiResponse => {
    const details = (request.body ?? {}) as Record<string, unknown>;
    const retryToken = request.headers['opc-retry-token'];
    const bodyHash = createHash('sha256').update(request.rawBody).digest('hex');
    if (typeof retryToken === 'string') {
      const seen = retryTokens.get(retryToken);
      if (seen && seen.bodyHash !== bodyHash) {
        return error(409, 'IncorrectState', 'The retry token was used with a different request');
      }
      if (seen) return { status: 200, body: (instances.get(seen.instanceId) as FakeOciInstance).json };
    }
    if (details.compartmentId !== FAKE_OCI.compartmentOcid) {
      return error(404, 'NotAuthorizedOrNotFound', 'Authorization failed or requested resource not found.');
    }
    const domain = String(details.availabilityDomain);
    if (!(FAKE_OCI.availabilityDomains as readonly string[]).includes(domain)) {
      return error(400, 'InvalidParameter', `Invalid availabilityDomain ${domain}`);
    }
    const shape = shapes[String(details.shape)];
    if (!shape) return error(400, 'InvalidParameter', `Shape ${String(details.shape)} is not valid`);
    const shapeConfig = (details.shapeConfig ?? {}) as Record<string, unknown>;
    if (shape.flex && typeof shapeConfig.ocpus !== 'number') {
      return error(400, 'InvalidParameter', 'shapeConfig.ocpus is required for flexible shapes');
    }
    const source = (details.sourceDetails ?? {}) as Record<string, unknown>;
    if (source.sourceType !== 'image' || source.imageId !== FAKE_OCI.imageOcid) {
      return error(404, 'NotAuthorizedOrNotFound', 'Authorization failed or requested resource not found (image).');
    }
    const vnicDetails = (details.createVnicDetails ?? {}) as Record<string, unknown>;
    if (vnicDetails.subnetId !== FAKE_OCI.subnetOcid) return error(400, 'InvalidParameter', 'Invalid subnet');
    for (const nsg of (vnicDetails.nsgIds ?? []) as string[]) {
      if (!(FAKE_OCI.nsgOcids as readonly string[]).includes(nsg))
        return error(400, 'InvalidParameter', `Invalid NSG ${nsg}`);
    }
    if (options.fullDomains?.includes(domain)) return faultResponses['insufficient-capacity'];
    if (live().length >= (options.instanceLimit ?? 50)) return faultResponses['quota-exceeded'];
    const id = ocid('instance');
    const ocpus = shape.flex ? (shapeConfig.ocpus as number) : shape.ocpus;
    const json: Record<string, unknown> = {
      id,
      compartmentId: FAKE_OCI.compartmentOcid,
      availabilityDomain: domain,
      displayName: details.displayName ?? id,
      lifecycleState: 'PROVISIONING',
      shape: details.shape,
      shapeConfig: {
        ocpus,
        vcpus: ocpus * 2,
        memoryInGBs: shape.flex ? (shapeConfig.memoryInGBs ?? ocpus * 16) : shape.memoryInGBs,
        gpus: shape.gpus,
        ...(shapeConfig.baselineOcpuUtilization
          ? { baselineOcpuUtilization: shapeConfig.baselineOcpuUtilization }
          : {}),
      },
      sourceDetails: source,
      imageId: source.imageId,
      metadata: details.metadata ?? {},
      freeformTags: details.freeformTags ?? {},
      definedTags: {},
      region: 'iad',
      timeCreated: new Date().toISOString(),
    };
    const index = instances.size + 1;
    const vnic = {
      id: ocid('vnic'),
      isPrimary: true,
      subnetId: vnicDetails.subnetId,
      nsgIds: vnicDetails.nsgIds ?? [],
      freeformTags: vnicDetails.freeformTags ?? {},
      privateIp: `10.0.${index >> 8}.${index & 255}`,
      ...(vnicDetails.assignPublicIp === false ? {} : { publicIp: `203.0.113.${index % 250}` }),
      lifecycleState: 'AVAILABLE',
    };
    instances.set(id, {
      json,
      bootVolume: {
        sizeInGBs: (source.bootVolumeSizeInGBs as number | undefined) ?? 47,
        vpusPerGB: (source.bootVolumeVpusPerGB as number | undefined) ?? 10,
        deleted: false,
      },
      vnic,
      attachmentId: ocid('vnicattachment'),
      request: details,
      terminateQuery: undefined,
    });
    if (typeof retryToken === 'string') retryTokens.set(retryToken, { instanceId: id, bodyHash });
    return { status: 200, headers: { etag: randomBytes(4).toString('hex') }, body: json };
  };

  /** Reads advance lifecycles: PROVISIONING → RUNNING, TERMINATING → TERMINATED. */
  const listInstances = (request: FakeApiRequest): FakeApiResponse => {
    if (request.query.get('compartmentId') !== FAKE_OCI.compartmentOcid) return page(request, [], maxPageSize);
    const all = [...instances.values()];
    const rendered = all.map((instance) => ({ ...instance.json }));
    for (const instance of all) {
      if (instance.json.lifecycleState === 'PROVISIONING') instance.json.lifecycleState = 'RUNNING';
      if (instance.json.lifecycleState === 'TERMINATING') instance.json.lifecycleState = 'TERMINATED';
    }
    return page(request, rendered, maxPageSize);
  };

  const terminate = (request: FakeApiRequest): FakeApiResponse => {
    const instance = instances.get(request.params.id ?? '');
    if (!instance)
      return error(404, 'NotAuthorizedOrNotFound', 'Authorization failed or requested resource not found.');
    instance.terminateQuery = Object.fromEntries(request.query);
    if (instance.json.lifecycleState !== 'TERMINATED') instance.json.lifecycleState = 'TERMINATING';
    instance.bootVolume.deleted = request.query.get('preserveBootVolume') !== 'true';
    return { status: 204 };
  };

  const zoneOf = (request: FakeApiRequest) => records.get(request.params.zone ?? '');

  const replaceRRSet = (request: FakeApiRequest): FakeApiResponse => {
    const zone = zoneOf(request);
    if (!zone) return error(404, 'NotAuthorizedOrNotFound', 'Zone not found');
    const { domain = '', rtype = '' } = request.params;
    const items = ((request.body as { items?: FakeOciRecord[] } | undefined)?.items ?? []).map((item) => ({
      domain: item.domain,
      rtype: item.rtype,
      rdata: item.rdata,
      ttl: item.ttl,
    }));
    if (items.some((item) => item.domain !== domain || item.rtype !== rtype)) {
      return error(400, 'InvalidParameter', 'items must match the RRSet domain and rtype');
    }
    if (rtype === 'CNAME' && items.some((item) => !item.rdata.endsWith('.'))) {
      return error(400, 'InvalidParameter', 'CNAME rdata must be fully qualified');
    }
    const kept = zone.filter((record) => !(record.domain === domain && record.rtype === rtype));
    records.set(request.params.zone ?? '', [...kept, ...items]);
    return { status: 200, body: { items } };
  };

  const api = await createFakeApiServer({
    authenticate: (request) => {
      const problem = verifyOciSignature({
        request,
        key,
        keyId: `${FAKE_OCI.tenancyOcid}/${FAKE_OCI.userOcid}/${key.fingerprint}`,
        now: Date.now(),
      });
      if (!problem) return undefined;
      refusedSignatures.push(problem);
      return ociNotAuthenticated();
    },
    faultResponse: (fault) => faultResponses[fault],
    routes: [
      { name: 'LaunchInstance', method: 'POST', path: '/20160918/instances', handler: launch },
      { name: 'ListInstances', method: 'GET', path: '/20160918/instances', handler: listInstances },
      { name: 'TerminateInstance', method: 'DELETE', path: '/20160918/instances/:id', handler: terminate },
      {
        name: 'ListVnicAttachments',
        method: 'GET',
        path: '/20160918/vnicAttachments',
        handler: (request) =>
          page(
            request,
            live().map((instance) => ({
              id: instance.attachmentId,
              instanceId: instance.json.id,
              vnicId: instance.vnic.id,
              compartmentId: FAKE_OCI.compartmentOcid,
              availabilityDomain: instance.json.availabilityDomain,
              lifecycleState: 'ATTACHED',
            })),
            maxPageSize,
          ),
      },
      {
        name: 'GetVnic',
        method: 'GET',
        path: '/20160918/vnics/:id',
        handler: (request) => {
          const found = [...instances.values()].find((instance) => instance.vnic.id === request.params.id);
          return found ? { status: 200, body: found.vnic } : error(404, 'NotAuthorizedOrNotFound', 'VNIC not found');
        },
      },
      {
        name: 'ListAvailabilityDomains',
        method: 'GET',
        path: '/20160918/availabilityDomains',
        handler: () => ({
          status: 200,
          body: FAKE_OCI.availabilityDomains.map((name, index) => ({
            name,
            id: `ocid1.availabilitydomain.oc1..fake${index}`,
            compartmentId: FAKE_OCI.tenancyOcid,
          })),
        }),
      },
      {
        name: 'ListZones',
        method: 'GET',
        path: '/20180115/zones',
        handler: (request) =>
          page(
            request,
            [...records.keys()].map((name) => ({
              name,
              id: `ocid1.dns-zone.oc1..${name.replace(/\./g, '-')}`,
              zoneType: 'PRIMARY',
              scope: 'GLOBAL',
            })),
            maxPageSize,
          ),
      },
      {
        name: 'GetZoneRecords',
        method: 'GET',
        path: '/20180115/zones/:zone/records',
        handler: (request) => {
          const zone = zoneOf(request);
          if (!zone) return error(404, 'NotAuthorizedOrNotFound', 'Zone not found');
          const contains = request.query.get('domainContains');
          const items = zone.filter((record) => contains === null || record.domain.includes(contains));
          return page(
            request,
            items.map((record) => ({
              ...record,
              isProtected: ['SOA', 'NS'].includes(record.rtype),
              recordHash: 'h',
              rrsetVersion: '1',
            })),
            maxPageSize,
            (slice) => ({ items: slice }),
          );
        },
      },
      {
        name: 'UpdateRRSet',
        method: 'PUT',
        path: '/20180115/zones/:zone/records/:domain/:rtype',
        handler: replaceRRSet,
      },
      {
        name: 'DeleteRRSet',
        method: 'DELETE',
        path: '/20180115/zones/:zone/records/:domain/:rtype',
        handler: (request) => {
          const zone = zoneOf(request);
          if (!zone) return error(404, 'NotAuthorizedOrNotFound', 'Zone not found');
          const { domain, rtype } = request.params;
          records.set(
            request.params.zone ?? '',
            zone.filter((record) => !(record.domain === domain && record.rtype === rtype)),
          );
          return { status: 204 };
        },
      },
    ],
  });
  return {
    endpoint: api.url,
    key,
    api,
    instances,
    records,
    refusedSignatures,
    failNext: ({ route, fault, count }) => api.failNext({ route, fault, ...(count ? { count } : {}) }),
    close: () => api.close(),
  };
}

/** Provider settings that reach the fake with its key (single availability domain unless overridden). */
export function fakeOciProviderSettings(server: FakeOciServer) {
  return {
    endpoint: server.endpoint,
    userOcid: FAKE_OCI.userOcid,
    tenancyOcid: FAKE_OCI.tenancyOcid,
    compartmentOcid: FAKE_OCI.compartmentOcid,
    region: FAKE_OCI.region,
    fingerprint: server.key.fingerprint,
    privateKey: server.key.privateKeyPem,
    maxInstances: 20,
    availabilityDomains: [FAKE_OCI.availabilityDomains[0]],
    imageOcid: FAKE_OCI.imageOcid,
    shape: 'VM.Standard.E5.Flex',
    flexOcpus: 1,
    flexMemoryGb: 8,
    subnetOcid: FAKE_OCI.subnetOcid,
  };
}

/** DNS settings that reach the fake with its key. */
export function fakeOciDnsSettings(server: FakeOciServer) {
  return {
    endpoint: server.endpoint,
    userOcid: FAKE_OCI.userOcid,
    tenancyOcid: FAKE_OCI.tenancyOcid,
    compartmentOcid: FAKE_OCI.compartmentOcid,
    region: FAKE_OCI.region,
    fingerprint: server.key.fingerprint,
    privateKey: server.key.privateKeyPem,
  };
}
