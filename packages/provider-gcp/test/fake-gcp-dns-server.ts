import {
  createFakeApiServer,
  type FakeApiRequest,
  type FakeApiResponse,
  type FakeApiServer,
  paginate,
} from '@headroom/testkit';
import { FAKE_GCP_DEFAULTS, googleError } from './fake-gcp-server.js';

/**
 * A local stateful fake of the Cloud DNS REST API (v1) over HTTPS (`@google-cloud/dns` only speaks
 * https): managed zones, resource record sets with pages and name/type filters, and atomic changes
 * whose deletions must match the current record sets exactly, as Cloud DNS requires.
 */

interface RecordSet {
  kind: 'dns#resourceRecordSet';
  name: string;
  type: string;
  ttl: number;
  rrdatas: string[];
}

export interface FakeGcpDnsServer extends FakeApiServer {
  /** Host and port to pass as the provider's `endpoint` (`https://127.0.0.1:<port>`). */
  endpoint: string;
  /** Record sets by zone name. */
  readonly recordSets: Map<string, RecordSet[]>;
}

const key = (recordSet: { name: string; type: string }) => `${recordSet.name.toLowerCase()} ${recordSet.type}`;

function sameRecordSet(left: RecordSet, right: Partial<RecordSet>): boolean {
  return (
    left.ttl === right.ttl &&
    JSON.stringify(left.rrdatas) === JSON.stringify(right.rrdatas) &&
    key(left) === key({ name: String(right.name), type: String(right.type) })
  );
}

/** Starts the Cloud DNS fake on 127.0.0.1 (HTTPS with the test certificate). */
export async function startFakeGcpDnsServer(options: {
  managedZones: { name: string; dnsName: string }[];
  project?: string;
  accessToken?: string;
  /** Record sets (and zones) per page at most. */
  maxPageSize?: number;
}): Promise<FakeGcpDnsServer> {
  const project = options.project ?? FAKE_GCP_DEFAULTS.project;
  const accessToken = options.accessToken ?? FAKE_GCP_DEFAULTS.accessToken;
  const maxPageSize = options.maxPageSize ?? 100;
  const recordSets = new Map<string, RecordSet[]>();
  for (const zone of options.managedZones) {
    recordSets.set(zone.name, [
      {
        kind: 'dns#resourceRecordSet',
        name: zone.dnsName,
        type: 'NS',
        ttl: 21_600,
        rrdatas: ['ns-cloud-a1.googledomains.com.'],
      },
      {
        kind: 'dns#resourceRecordSet',
        name: zone.dnsName,
        type: 'SOA',
        ttl: 21_600,
        rrdatas: ['ns-cloud-a1.googledomains.com. cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300'],
      },
    ]);
  }
  let changeSequence = 0;

  const zoneOf = (request: FakeApiRequest): RecordSet[] | FakeApiResponse => {
    const zone = recordSets.get(request.params.managedZone ?? '');
    return (
      zone ??
      googleError({
        status: 404,
        reason: 'notFound',
        message: `The 'parameters.managedZone' resource named '${request.params.managedZone}' does not exist.`,
      })
    );
  };

  const pageOf = <Item>(items: Item[], request: FakeApiRequest) => {
    const pageSize = Math.min(Number(request.query.get('maxResults') ?? maxPageSize), maxPageSize);
    return paginate(items, { pageSize, token: request.query.get('pageToken') });
  };

  const listRecordSets = (request: FakeApiRequest): FakeApiResponse => {
    const zone = zoneOf(request);
    if (!Array.isArray(zone)) return zone;
    const name = request.query.get('name');
    const type = request.query.get('type');
    if (type && !name) return googleError({ status: 400, reason: 'invalid', message: 'type requires name' });
    const matching = zone.filter(
      (recordSet) => (!name || recordSet.name === name.toLowerCase()) && (!type || recordSet.type === type),
    );
    const page = pageOf(matching, request);
    return {
      status: 200,
      body: {
        kind: 'dns#resourceRecordSetsListResponse',
        rrsets: page.page,
        ...(page.nextToken ? { nextPageToken: page.nextToken } : {}),
      },
    };
  };

  const createChange = (request: FakeApiRequest): FakeApiResponse => {
    const zone = zoneOf(request);
    if (!Array.isArray(zone)) return zone;
    const body = (request.body ?? {}) as { additions?: Partial<RecordSet>[]; deletions?: Partial<RecordSet>[] };
    const additions = body.additions ?? [];
    const deletions = body.deletions ?? [];
    if (additions.length === 0 && deletions.length === 0) {
      return googleError({
        status: 400,
        reason: 'required',
        message: "The 'entity.change' parameter is required but was missing.",
      });
    }
    const next = [...zone];
    for (const [index, deletion] of deletions.entries()) {
      const position = next.findIndex(
        (recordSet) => key(recordSet) === key({ name: String(deletion.name), type: String(deletion.type) }),
      );
      if (position < 0) {
        return googleError({
          status: 404,
          reason: 'notFound',
          message: `The resource 'entity.change.deletions[${index}]' named '${deletion.name} (${deletion.type})' does not exist.`,
        });
      }
      if (!sameRecordSet(next[position] as RecordSet, deletion)) {
        return googleError({
          status: 412,
          reason: 'conditionNotMet',
          message: `Precondition not met for 'entity.change.deletions[${index}]'`,
        });
      }
      next.splice(position, 1);
    }
    for (const [index, addition] of additions.entries()) {
      const name = String(addition.name ?? '');
      if (!name.endsWith('.') || typeof addition.ttl !== 'number' || !Array.isArray(addition.rrdatas)) {
        return googleError({
          status: 400,
          reason: 'invalid',
          message: `Invalid value for 'entity.change.additions[${index}]'`,
        });
      }
      if (addition.type === 'CNAME' && addition.rrdatas.some((rrdata) => !String(rrdata).endsWith('.'))) {
        return googleError({
          status: 400,
          reason: 'invalid',
          message: `Invalid value for 'entity.change.additions[${index}].rrdata': CNAME targets must be absolute`,
        });
      }
      if (next.some((recordSet) => key(recordSet) === key({ name, type: String(addition.type) }))) {
        return googleError({
          status: 409,
          reason: 'alreadyExists',
          message: `The resource 'entity.change.additions[${index}]' named '${name} (${addition.type})' already exists`,
        });
      }
      next.push({
        kind: 'dns#resourceRecordSet',
        name: name.toLowerCase(),
        type: String(addition.type),
        ttl: addition.ttl,
        rrdatas: addition.rrdatas.map(String),
      });
    }
    recordSets.set(request.params.managedZone ?? '', next);
    changeSequence += 1;
    return {
      status: 200,
      body: { kind: 'dns#change', id: String(changeSequence), status: 'done', additions, deletions },
    };
  };

  const base = '/dns/v1/projects/:project';
  const server = await createFakeApiServer({
    tls: true,
    authenticate: (request) => {
      if (request.headers.authorization !== `Bearer ${accessToken}`) {
        return googleError({
          status: 401,
          reason: 'authError',
          message: 'Request had invalid authentication credentials.',
        });
      }
      if (request.path.startsWith('/dns/v1/projects/') && !request.path.startsWith(`/dns/v1/projects/${project}/`)) {
        return googleError({ status: 403, reason: 'forbidden', message: 'The caller does not have permission' });
      }
      return undefined;
    },
    routes: [
      {
        name: 'managedZones.list',
        method: 'GET',
        path: `${base}/managedZones`,
        handler: (request) => {
          const page = pageOf(options.managedZones, request);
          return {
            status: 200,
            body: {
              kind: 'dns#managedZonesListResponse',
              managedZones: page.page.map((zone) => ({ kind: 'dns#managedZone', ...zone, visibility: 'public' })),
              ...(page.nextToken ? { nextPageToken: page.nextToken } : {}),
            },
          };
        },
      },
      {
        name: 'resourceRecordSets.list',
        method: 'GET',
        path: `${base}/managedZones/:managedZone/rrsets`,
        handler: listRecordSets,
      },
      {
        name: 'changes.create',
        method: 'POST',
        path: `${base}/managedZones/:managedZone/changes`,
        handler: createChange,
      },
    ],
  });
  return Object.assign(server, { endpoint: server.url, recordSets });
}
