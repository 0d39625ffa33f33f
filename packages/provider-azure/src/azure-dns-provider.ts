import type { RecordSet } from '@azure/arm-dns';
import type { DnsProviderV1, DnsRecord, DnsRecordType } from '@headroom/core/provider';
import { InvalidProviderConfigError, parseProviderSettings } from '@headroom/core/provider';
import { type AzureDnsClient, createAzureSdkDnsClient } from './azure-client.js';
import { callAzure, isAzureNotFound } from './azure-error.js';
import { collectAzureItems } from './azure-list.js';
import { type AzureDnsProviderSettings, azureDnsProviderSettingsSchema } from './azure-provider-settings.js';
import { AZURE_PROVIDER_ID } from './azure-setting.js';

/** The Azure DNS adapter. */
export interface AzureDnsProvider extends DnsProviderV1 {
  readonly providerId: 'azure';
  close(): Promise<void>;
}

const managedTypes: ReadonlySet<string> = new Set<DnsRecordType>(['A', 'AAAA', 'CNAME']);
/** Record sets per page when listing a zone (Azure's largest). */
const listPageSize = 1000;

function normalizeDomain(domain: string): string {
  return domain.replace(/\.$/, '').toLowerCase();
}

function isWithin(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/** The record set body of one value. */
export function convertToAzureRecordSet(options: {
  type: DnsRecordType;
  value: string;
  ttlSeconds: number;
}): RecordSet {
  const { type, value, ttlSeconds } = options;
  switch (type) {
    case 'A':
      return { ttl: ttlSeconds, aRecords: [{ ipv4Address: value }] };
    case 'AAAA':
      return { ttl: ttlSeconds, aaaaRecords: [{ ipv6Address: value }] };
    case 'CNAME':
      return { ttl: ttlSeconds, cnameRecord: { cname: value } };
  }
}

/** The Headroom records of one Azure record set (`type` is `Microsoft.Network/dnszones/A`). */
export function mapAzureRecordSet(recordSet: RecordSet, zone: string): DnsRecord[] {
  const type = recordSet.type?.split('/').at(-1)?.toUpperCase() ?? '';
  const name = normalizeDomain(recordSet.fqdn ?? '');
  if (!managedTypes.has(type) || !isWithin(name, zone)) return [];
  const base = { zone, name, type: type as DnsRecordType, ttlSeconds: recordSet.ttl ?? 0 };
  if (type === 'A')
    return (recordSet.aRecords ?? []).flatMap((record) =>
      record.ipv4Address ? [{ ...base, value: record.ipv4Address }] : [],
    );
  if (type === 'AAAA')
    return (recordSet.aaaaRecords ?? []).flatMap((record) =>
      record.ipv6Address ? [{ ...base, value: record.ipv6Address }] : [],
    );
  const cname = recordSet.cnameRecord?.cname;
  return cname ? [{ ...base, value: normalizeDomain(cname) }] : [];
}

/**
 * Creates the Azure DNS provider. The zone of a base domain is `zoneName`, else the most specific
 * zone of the resource group whose name is the domain or one of its parents (looked up once).
 */
export function createAzureDnsProvider(settings: AzureDnsProviderSettings): AzureDnsProvider {
  const { dnsClient: injectedClient, ...configSettings } = settings;
  const parsed = parseProviderSettings({
    schema: azureDnsProviderSettingsSchema,
    settings: configSettings,
    providerId: AZURE_PROVIDER_ID,
  });
  const resourceGroup = parsed.resourceGroup;
  let clientPromise: Promise<AzureDnsClient> | undefined;
  let zonesPromise: Promise<string[]> | undefined;

  const getClient = (): Promise<AzureDnsClient> => {
    clientPromise ??= injectedClient ? Promise.resolve(injectedClient) : createAzureSdkDnsClient(parsed);
    clientPromise.catch(() => {
      clientPromise = undefined;
    });
    return clientPromise;
  };

  const getZoneName = async (domain: string, abortSignal: AbortSignal | undefined): Promise<string> => {
    if (parsed.zoneName !== undefined) {
      const zoneName = normalizeDomain(parsed.zoneName);
      if (isWithin(domain, zoneName)) return zoneName;
      throw new InvalidProviderConfigError({
        providerId: AZURE_PROVIDER_ID,
        field: 'zoneName',
        message: `zone ${zoneName} does not serve ${domain}`,
      });
    }
    zonesPromise ??= (async () => {
      const client = await getClient();
      const zones = await collectAzureItems({
        operation: 'Zones.ListByResourceGroup',
        abortSignal,
        list: () => client.zones.listByResourceGroup(resourceGroup, abortSignal ? { abortSignal } : {}),
      });
      return zones.flatMap((zone) => (zone.name ? [normalizeDomain(zone.name)] : []));
    })();
    zonesPromise.catch(() => {
      zonesPromise = undefined;
    });
    const candidates = (await zonesPromise).filter((zoneName) => isWithin(domain, zoneName));
    const mostSpecific = candidates.sort((left, right) => right.length - left.length)[0];
    if (mostSpecific === undefined) {
      throw new InvalidProviderConfigError({
        providerId: AZURE_PROVIDER_ID,
        field: 'zoneName',
        message: `no DNS zone of resource group ${resourceGroup} serves ${domain} or a parent domain`,
      });
    }
    return mostSpecific;
  };

  /** The Azure zone and the record's name relative to it (`@` at the apex). */
  const locate = async (zoneInput: string, nameInput: string, abortSignal: AbortSignal | undefined) => {
    const zone = normalizeDomain(zoneInput);
    const name = normalizeDomain(nameInput);
    if (!isWithin(name, zone)) {
      throw new InvalidProviderConfigError({
        providerId: AZURE_PROVIDER_ID,
        field: 'baseDomain',
        message: `record ${name} is not inside the zone ${zone}`,
      });
    }
    const zoneName = await getZoneName(zone, abortSignal);
    const relativeName = name === zoneName ? '@' : name.slice(0, -(zoneName.length + 1));
    return { zoneName, relativeName };
  };

  return {
    specificationVersion: 'v1',
    providerId: AZURE_PROVIDER_ID,

    async upsertRecord(options) {
      const { abortSignal, type, value, ttlSeconds } = options;
      abortSignal?.throwIfAborted();
      const { zoneName, relativeName } = await locate(options.zone, options.name, abortSignal);
      const client = await getClient();
      await callAzure({
        operation: 'RecordSets.CreateOrUpdate',
        abortSignal,
        call: () =>
          client.recordSets.createOrUpdate(
            resourceGroup,
            zoneName,
            relativeName,
            type,
            convertToAzureRecordSet({ type, value, ttlSeconds }),
            abortSignal ? { abortSignal } : {},
          ),
      });
    },

    async deleteRecord(options) {
      const { abortSignal, type } = options;
      abortSignal?.throwIfAborted();
      const { zoneName, relativeName } = await locate(options.zone, options.name, abortSignal);
      const client = await getClient();
      await callAzure({
        operation: 'RecordSets.Delete',
        abortSignal,
        call: async () => {
          try {
            await client.recordSets.delete(
              resourceGroup,
              zoneName,
              relativeName,
              type,
              abortSignal ? { abortSignal } : {},
            );
          } catch (error) {
            if (!isAzureNotFound(error)) throw error;
          }
        },
      });
    },

    async listRecords(options) {
      const { abortSignal } = options;
      abortSignal?.throwIfAborted();
      const zone = normalizeDomain(options.zone);
      const zoneName = await getZoneName(zone, abortSignal);
      const client = await getClient();
      const recordSets = await collectAzureItems({
        operation: 'RecordSets.ListByDnsZone',
        abortSignal,
        list: () =>
          client.recordSets.listByDnsZone(resourceGroup, zoneName, {
            top: listPageSize,
            ...(abortSignal ? { abortSignal } : {}),
          }),
      });
      return recordSets.flatMap((recordSet) => mapAzureRecordSet(recordSet, zone));
    },

    async close() {
      clientPromise = undefined;
      zonesPromise = undefined;
    },
  } satisfies AzureDnsProvider;
}
