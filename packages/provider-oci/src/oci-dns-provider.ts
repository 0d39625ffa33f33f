import {
  collectPages,
  type DnsProviderV1,
  type DnsRecord,
  InvalidProviderConfigError,
  parseProviderSettings,
} from '@headroom/core/provider';
import type { models } from 'oci-dns';
import { mapOciRecord, toOciRecordData } from './map-oci-record.js';
import { createOciSdkDnsClient, type OciDnsClient } from './oci-client.js';
import { createOciClientLoader } from './oci-connection.js';
import { callOci, isOciNotFound, OCI_PROVIDER_ID } from './oci-error.js';
import { type OciDnsProviderSettings, ociDnsProviderSettingsSchema } from './oci-provider-settings.js';

/** DNS on OCI zones. */
export interface OciDnsProvider extends DnsProviderV1 {
  readonly providerId: 'oci';
}

const managedTypes = new Set(['A', 'AAAA', 'CNAME']);
const normalize = (name: string) => name.replace(/\.$/, '').toLowerCase();

/**
 * Creates the OCI DNS provider (`oci-dns`). The zone holding a base domain is `zoneName`, else the
 * most specific zone of the compartment that is the base domain or a parent (looked up once).
 * Upsert replaces the RRSet (`PUT …/records/{domain}/{rtype}`); delete removes it.
 */
export function createOciDnsProvider(settings: OciDnsProviderSettings): OciDnsProvider {
  const { dnsClient, clock: _clock, timers: _timers, configDirectory, ...config } = settings;
  const parsed = parseProviderSettings({
    schema: ociDnsProviderSettingsSchema,
    settings: config,
    providerId: OCI_PROVIDER_ID,
  });
  const getClient = createOciClientLoader<OciDnsClient>({
    settings: parsed,
    injected: dnsClient,
    configDirectory,
    create: createOciSdkDnsClient,
  });
  const timeoutMs = parsed.requestTimeoutSeconds * 1000;
  const zones = new Map<string, Promise<string>>();
  const call = <T>(operation: string, abortSignal: AbortSignal | undefined, run: () => Promise<T>) =>
    callOci({ operation, abortSignal, timeoutMs, call: run });

  const findZone = (zone: string, abortSignal: AbortSignal | undefined): Promise<string> => {
    const wanted = normalize(zone);
    let found = zones.get(wanted);
    if (found) return found;
    found = (async () => {
      const candidates =
        parsed.zoneName !== undefined
          ? [normalize(parsed.zoneName)]
          : (
              await collectPages<models.ZoneSummary>({
                providerId: OCI_PROVIDER_ID,
                ...(abortSignal ? { abortSignal } : {}),
                fetchPage: async (page) => {
                  const client = await getClient();
                  const result = await call('ListZones', abortSignal, () =>
                    client.listZones({ compartmentId: parsed.compartmentOcid, limit: 100, ...(page ? { page } : {}) }),
                  );
                  return { items: result.items, nextToken: result.opcNextPage };
                },
              })
            ).map((summary) => normalize(summary.name));
      const best = candidates
        .filter((name) => wanted === name || wanted.endsWith(`.${name}`))
        .sort((left, right) => right.length - left.length)[0];
      if (best === undefined) {
        throw new InvalidProviderConfigError({
          providerId: OCI_PROVIDER_ID,
          field: 'zoneName',
          message:
            parsed.zoneName !== undefined
              ? `zone ${zone} is not under the configured zone ${parsed.zoneName}`
              : `no zone of the compartment serves ${zone}`,
        });
      }
      return best;
    })();
    found.catch(() => zones.delete(wanted));
    zones.set(wanted, found);
    return found;
  };

  return {
    specificationVersion: 'v1',
    providerId: OCI_PROVIDER_ID,

    async upsertRecord({ zone, name, type, value, ttlSeconds, abortSignal }) {
      abortSignal?.throwIfAborted();
      const zoneName = await findZone(zone, abortSignal);
      const client = await getClient();
      const domain = normalize(name);
      await call('UpdateRRSet', abortSignal, () =>
        client.updateRRSet({
          zoneNameOrId: zoneName,
          domain,
          rtype: type,
          compartmentId: parsed.compartmentOcid,
          updateRRSetDetails: {
            items: [{ domain, rtype: type, rdata: toOciRecordData(type, value), ttl: ttlSeconds }],
          },
        }),
      );
    },

    async deleteRecord({ zone, name, type, abortSignal }) {
      abortSignal?.throwIfAborted();
      const zoneName = await findZone(zone, abortSignal);
      const client = await getClient();
      try {
        await call('DeleteRRSet', abortSignal, () =>
          client.deleteRRSet({
            zoneNameOrId: zoneName,
            domain: normalize(name),
            rtype: type,
            compartmentId: parsed.compartmentOcid,
          }),
        );
      } catch (error) {
        if (isOciNotFound((error as Error).cause ?? error)) return;
        throw error;
      }
    },

    async listRecords({ zone, abortSignal }): Promise<DnsRecord[]> {
      abortSignal?.throwIfAborted();
      const zoneName = await findZone(zone, abortSignal);
      const client = await getClient();
      const wanted = normalize(zone);
      const records = await collectPages<models.Record>({
        providerId: OCI_PROVIDER_ID,
        ...(abortSignal ? { abortSignal } : {}),
        fetchPage: async (page) => {
          const result = await call('GetZoneRecords', abortSignal, () =>
            client.getZoneRecords({
              zoneNameOrId: zoneName,
              compartmentId: parsed.compartmentOcid,
              limit: 100,
              ...(wanted === zoneName ? {} : { domainContains: wanted }),
              ...(page ? { page } : {}),
            }),
          );
          return { items: result.recordCollection.items, nextToken: result.opcNextPage };
        },
      });
      return records
        .filter((record) => managedTypes.has(record.rtype ?? ''))
        .map((record) => mapOciRecord(record, wanted))
        .filter((record) => record.name === wanted || record.name.endsWith(`.${wanted}`));
    },
  } satisfies OciDnsProvider;
}
