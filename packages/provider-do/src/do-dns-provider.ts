import {
  type DnsProviderV1,
  type DnsRecord,
  type DnsRecordType,
  InvalidProviderConfigError,
  parseProviderSettings,
} from '@headroom/core/provider';
import { createDoClientFromSettings } from './do-connection.js';
import { DO_PROVIDER_ID, isDoNotFound } from './do-error.js';
import { type DoDnsProviderSettings, doDnsProviderSettingsSchema } from './do-provider-settings.js';
import { type DoDomainRecord, mapDoDomainRecord, toDoRecordData, toDoRecordName } from './map-do-domain-record.js';

/** DNS on DigitalOcean domains. */
export interface DoDnsProvider extends DnsProviderV1 {
  readonly providerId: 'digitalocean';
}

const managedTypes = new Set<string>(['A', 'AAAA', 'CNAME']);
/** DigitalOcean's smallest TTL. */
const minimumTtlSeconds = 30;

const stripDot = (name: string) => name.replace(/\.$/, '').toLowerCase();

/**
 * Creates the DigitalOcean DNS provider. The domain holding a zone is the `domain` setting, else the
 * most specific domain of the account that is the zone or one of its parents (looked up once per
 * zone). Record names are relative to the domain in the API (`@` for the apex) and fully
 * qualified in Headroom.
 */
export function createDoDnsProvider(settings: DoDnsProviderSettings): DoDnsProvider {
  const { fetch, clock, timers, configDirectory, ...config } = settings;
  const parsed = parseProviderSettings({
    schema: doDnsProviderSettingsSchema,
    settings: config,
    providerId: DO_PROVIDER_ID,
  });
  const client = createDoClientFromSettings(parsed, {
    ...(fetch ? { fetch } : {}),
    ...(clock ? { clock } : {}),
    ...(timers ? { timers } : {}),
    ...(configDirectory ? { configDirectory } : {}),
  });
  const domains = new Map<string, Promise<string>>();

  const findDomain = (zone: string, abortSignal: AbortSignal | undefined): Promise<string> => {
    const wanted = stripDot(zone);
    if (parsed.domain !== undefined) {
      const domain = stripDot(parsed.domain);
      if (wanted !== domain && !wanted.endsWith(`.${domain}`)) {
        throw new InvalidProviderConfigError({
          providerId: DO_PROVIDER_ID,
          field: 'domain',
          message: `zone ${zone} is not under the configured domain ${domain}`,
        });
      }
      return Promise.resolve(domain);
    }
    let found = domains.get(wanted);
    if (!found) {
      found = (async () => {
        const all = await client.listAll<{ name: string }>({
          operation: 'ListDomains',
          path: '/v2/domains',
          key: 'domains',
          abortSignal,
        });
        const candidates = all
          .map((domain) => stripDot(domain.name))
          .filter((name) => wanted === name || wanted.endsWith(`.${name}`))
          .sort((left, right) => right.length - left.length);
        const best = candidates[0];
        if (best === undefined) {
          throw new InvalidProviderConfigError({
            providerId: DO_PROVIDER_ID,
            field: 'domain',
            message: `no DigitalOcean domain serves ${zone}; add the domain (or a parent) to the account`,
          });
        }
        return best;
      })();
      found.catch(() => domains.delete(wanted));
      domains.set(wanted, found);
    }
    return found;
  };

  const recordsPath = (domain: string) => `/v2/domains/${encodeURIComponent(domain)}/records`;

  const findRecords = async (options: {
    domain: string;
    name: string;
    type: DnsRecordType;
    abortSignal: AbortSignal | undefined;
  }): Promise<DoDomainRecord[]> => {
    const records = await client.listAll<DoDomainRecord>({
      operation: 'ListDomainRecords',
      path: recordsPath(options.domain),
      query: { name: stripDot(options.name), type: options.type },
      key: 'domain_records',
      abortSignal: options.abortSignal,
    });
    const relative = toDoRecordName(options.name, options.domain);
    return records.filter((record) => record.type === options.type && record.name === relative);
  };

  return {
    specificationVersion: 'v1',
    providerId: DO_PROVIDER_ID,

    async upsertRecord({ zone, name, type, value, ttlSeconds, abortSignal }) {
      abortSignal?.throwIfAborted();
      const domain = await findDomain(zone, abortSignal);
      const body = {
        type,
        name: toDoRecordName(name, domain),
        data: toDoRecordData(type, value),
        ttl: Math.max(minimumTtlSeconds, ttlSeconds),
      };
      const [existing, ...duplicates] = await findRecords({ domain, name, type, abortSignal });
      if (existing) {
        await client.call({
          operation: 'UpdateDomainRecord',
          method: 'PUT',
          path: `${recordsPath(domain)}/${existing.id}`,
          body,
          abortSignal,
        });
      } else {
        await client.call({
          operation: 'CreateDomainRecord',
          method: 'POST',
          path: recordsPath(domain),
          body,
          abortSignal,
        });
      }
      for (const duplicate of duplicates) {
        await client.call({
          operation: 'DeleteDomainRecord',
          method: 'DELETE',
          path: `${recordsPath(domain)}/${duplicate.id}`,
          abortSignal,
        });
      }
    },

    async deleteRecord({ zone, name, type, abortSignal }) {
      abortSignal?.throwIfAborted();
      const domain = await findDomain(zone, abortSignal);
      for (const record of await findRecords({ domain, name, type, abortSignal })) {
        try {
          await client.call({
            operation: 'DeleteDomainRecord',
            method: 'DELETE',
            path: `${recordsPath(domain)}/${record.id}`,
            abortSignal,
          });
        } catch (error) {
          if (!isDoNotFound(error)) throw error;
        }
      }
    },

    async listRecords({ zone, abortSignal }): Promise<DnsRecord[]> {
      abortSignal?.throwIfAborted();
      const domain = await findDomain(zone, abortSignal);
      const wanted = stripDot(zone);
      const records = await client.listAll<DoDomainRecord>({
        operation: 'ListDomainRecords',
        path: recordsPath(domain),
        key: 'domain_records',
        abortSignal,
      });
      return records
        .filter((record) => managedTypes.has(record.type))
        .map((record) => mapDoDomainRecord({ record, domain, zone: wanted }))
        .filter((record) => record.name === wanted || record.name.endsWith(`.${wanted}`));
    },
  } satisfies DoDnsProvider;
}
