import type { DnsProviderV1, DnsRecord, DnsRecordType } from '@headroom/core/provider';
import {
  collectPages,
  InvalidProviderConfigError,
  ProviderApiError,
  parseProviderSettings,
} from '@headroom/core/provider';
import { createGcpSdkDnsClient, type GcpDnsClient, type GcpDnsRecordSet, type GcpManagedZone } from './gcp-client.js';
import { callGcp, GCP_PROVIDER_ID } from './gcp-error.js';
import { type GcpDnsProviderSettings, gcpDnsProviderSettingsSchema } from './gcp-provider-settings.js';
import { resolveGcpClientOptions } from './gcp-setting.js';

/** The Cloud DNS adapter. */
export interface GcpDnsProvider extends DnsProviderV1 {
  readonly providerId: 'gcp';
}

const managedTypes: ReadonlySet<string> = new Set<DnsRecordType>(['A', 'AAAA', 'CNAME']);

/** Cloud DNS name → Headroom name: lower case, no trailing dot. */
function normalizeDomain(domain: string): string {
  return domain.replace(/\.$/, '').toLowerCase();
}

function isWithin(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/** Record data as Cloud DNS wants it: CNAME targets are absolute (end with a dot). */
function toRrdata(type: DnsRecordType, value: string): string {
  return type === 'CNAME' && !value.endsWith('.') ? `${value}.` : value;
}

function fromRrdata(type: string, rrdata: string): string {
  return type === 'CNAME' ? rrdata.replace(/\.$/, '') : rrdata;
}

function sameRecordSet(left: GcpDnsRecordSet, right: GcpDnsRecordSet): boolean {
  return (
    left.ttl === right.ttl &&
    left.rrdatas.length === right.rrdatas.length &&
    left.rrdatas.every((rrdata, index) => rrdata === right.rrdatas[index])
  );
}

/** Whether a change failed because the zone changed underneath it (stale read). */
function isConflict(error: unknown): boolean {
  return ProviderApiError.isInstance(error) && (error.statusCode === 409 || error.statusCode === 412);
}

/**
 * Creates the Cloud DNS provider. The managed zone of a base domain is `managedZone` when set, else
 * the most specific zone whose DNS name is the domain or one of its parents; looked up once per
 * base domain. Changes go through the changes API (one atomic change per call).
 */
export function createGcpDnsProvider(settings: GcpDnsProviderSettings = {}): GcpDnsProvider {
  const { dnsClient: injectedClient, authClient, configDirectory, ...configSettings } = settings;
  const parsed = parseProviderSettings({
    schema: gcpDnsProviderSettingsSchema,
    settings: configSettings,
    providerId: GCP_PROVIDER_ID,
  });
  let contextPromise: Promise<{ client: GcpDnsClient; project: string }> | undefined;
  const managedZoneCache = new Map<string, Promise<string>>();

  const getContext = () => {
    contextPromise ??= (async () => {
      const options = await resolveGcpClientOptions({
        credentials: parsed.credentials,
        project: parsed.project,
        endpoint: parsed.endpoint,
        authClient,
        configDirectory,
      });
      const client = injectedClient ?? (await createGcpSdkDnsClient(options));
      return { client, project: options.projectId };
    })();
    contextPromise.catch(() => {
      contextPromise = undefined;
    });
    return contextPromise;
  };

  const lookUpManagedZone = async (zone: string, abortSignal: AbortSignal | undefined): Promise<string> => {
    const { client, project } = await getContext();
    const zones = await collectPages<GcpManagedZone>({
      providerId: GCP_PROVIDER_ID,
      ...(abortSignal ? { abortSignal } : {}),
      fetchPage: async (pageToken) => {
        const page = await callGcp({
          operation: 'managedZones.list',
          abortSignal,
          call: () => client.listManagedZones({ project, pageToken }, { abortSignal }),
        });
        return { items: page.zones, nextToken: page.nextPageToken };
      },
    });
    const labels = zone.split('.');
    for (let index = 0; index < labels.length - 1; index++) {
      const candidate = labels.slice(index).join('.');
      const matches = zones.filter((managedZone) => normalizeDomain(managedZone.dnsName) === candidate);
      if (matches.length === 1) return (matches[0] as GcpManagedZone).name;
      if (matches.length > 1) {
        throw new InvalidProviderConfigError({
          providerId: GCP_PROVIDER_ID,
          field: 'managedZone',
          message: `${matches.length} managed zones serve ${candidate} (${matches.map((match) => match.name).join(', ')}); set managedZone to choose one`,
        });
      }
    }
    throw new InvalidProviderConfigError({
      providerId: GCP_PROVIDER_ID,
      field: 'managedZone',
      message: `no Cloud DNS managed zone serves ${zone} or a parent domain`,
    });
  };

  const getManagedZone = (zone: string, abortSignal: AbortSignal | undefined): Promise<string> => {
    if (parsed.managedZone !== undefined) return Promise.resolve(parsed.managedZone);
    let managedZone = managedZoneCache.get(zone);
    if (!managedZone) {
      managedZone = lookUpManagedZone(zone, abortSignal);
      managedZone.catch(() => managedZoneCache.delete(zone));
      managedZoneCache.set(zone, managedZone);
    }
    return managedZone;
  };

  const checkName = (zoneInput: string, nameInput: string): { zone: string; name: string } => {
    const zone = normalizeDomain(zoneInput);
    const name = normalizeDomain(nameInput);
    if (!isWithin(name, zone)) {
      throw new InvalidProviderConfigError({
        providerId: GCP_PROVIDER_ID,
        field: 'baseDomain',
        message: `record ${name} is not inside the zone ${zone}`,
      });
    }
    return { zone, name };
  };

  /** The record set of a name and type, or `undefined`. */
  const readRecordSet = async (options: {
    managedZone: string;
    name: string;
    type: DnsRecordType;
    abortSignal: AbortSignal | undefined;
  }): Promise<GcpDnsRecordSet | undefined> => {
    const { client, project } = await getContext();
    const { abortSignal } = options;
    const page = await callGcp({
      operation: 'resourceRecordSets.list',
      abortSignal,
      call: () =>
        client.listRecordSets(
          { project, managedZone: options.managedZone, name: `${options.name}.`, type: options.type },
          { abortSignal },
        ),
    });
    return page.recordSets.find(
      (recordSet) => recordSet.type === options.type && normalizeDomain(recordSet.name) === options.name,
    );
  };

  /**
   * Reads the current record set and applies the change `plan` gives for it; re-reads once when
   * the zone changed in between (409/412).
   */
  const change = async (options: {
    zone: string;
    name: string;
    type: DnsRecordType;
    abortSignal: AbortSignal | undefined;
    plan: (current: GcpDnsRecordSet | undefined) => { additions: GcpDnsRecordSet[]; deletions: GcpDnsRecordSet[] };
  }): Promise<void> => {
    const { abortSignal } = options;
    const managedZone = await getManagedZone(options.zone, abortSignal);
    const { client, project } = await getContext();
    for (let attempt = 1; ; attempt++) {
      const current = await readRecordSet({ managedZone, name: options.name, type: options.type, abortSignal });
      const { additions, deletions } = options.plan(current);
      if (additions.length === 0 && deletions.length === 0) return;
      try {
        await callGcp({
          operation: 'changes.create',
          abortSignal,
          call: () => client.changeRecordSets({ project, managedZone, additions, deletions }, { abortSignal }),
        });
        return;
      } catch (error) {
        if (!isConflict(error) || attempt >= 2) throw error;
      }
    }
  };

  return {
    specificationVersion: 'v1',
    providerId: GCP_PROVIDER_ID,

    async upsertRecord(options) {
      const { abortSignal, type, value, ttlSeconds } = options;
      abortSignal?.throwIfAborted();
      const { zone, name } = checkName(options.zone, options.name);
      const wanted: GcpDnsRecordSet = { name: `${name}.`, type, ttl: ttlSeconds, rrdatas: [toRrdata(type, value)] };
      await change({
        zone,
        name,
        type,
        abortSignal,
        plan: (current) =>
          current && sameRecordSet(current, wanted)
            ? { additions: [], deletions: [] }
            : { additions: [wanted], deletions: current ? [current] : [] },
      });
    },

    async deleteRecord(options) {
      const { abortSignal, type } = options;
      abortSignal?.throwIfAborted();
      const { zone, name } = checkName(options.zone, options.name);
      await change({
        zone,
        name,
        type,
        abortSignal,
        plan: (current) => ({ additions: [], deletions: current ? [current] : [] }),
      });
    },

    async listRecords(options) {
      const { abortSignal } = options;
      abortSignal?.throwIfAborted();
      const zone = normalizeDomain(options.zone);
      const managedZone = await getManagedZone(zone, abortSignal);
      const { client, project } = await getContext();
      const recordSets = await collectPages<GcpDnsRecordSet>({
        providerId: GCP_PROVIDER_ID,
        ...(abortSignal ? { abortSignal } : {}),
        fetchPage: async (pageToken) => {
          const page = await callGcp({
            operation: 'resourceRecordSets.list',
            abortSignal,
            call: () => client.listRecordSets({ project, managedZone, pageToken }, { abortSignal }),
          });
          return { items: page.recordSets, nextToken: page.nextPageToken };
        },
      });
      const records: DnsRecord[] = [];
      for (const recordSet of recordSets) {
        const name = normalizeDomain(recordSet.name);
        if (!managedTypes.has(recordSet.type) || !isWithin(name, zone)) continue;
        for (const rrdata of recordSet.rrdatas) {
          records.push({
            zone,
            name,
            type: recordSet.type as DnsRecordType,
            value: fromRrdata(recordSet.type, rrdata),
            ttlSeconds: recordSet.ttl,
          });
        }
      }
      return records;
    },
  } satisfies GcpDnsProvider;
}
