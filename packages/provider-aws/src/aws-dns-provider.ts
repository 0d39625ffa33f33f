import type { ListResourceRecordSetsRequest, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { DnsProviderV1, DnsRecord, DnsRecordType } from '@headroom/core/provider';
import { InvalidProviderConfigError, ProviderApiError } from '@headroom/core/provider';
import { type AwsRoute53Client, createAwsSdkRoute53Client } from './aws-client.js';
import { callAws, getAwsErrorCode } from './aws-error.js';
import { type AwsDnsProviderSettings, awsDnsProviderSettingsSchema } from './aws-provider-settings.js';
import { AWS_PROVIDER_ID, createAwsCredentialsProvider, parseAwsSettings } from './aws-setting.js';

/** The Route 53 adapter. */
export interface AwsDnsProvider extends DnsProviderV1 {
  readonly providerId: 'aws';
  /** Releases the SDK client's sockets. */
  close(): Promise<void>;
}

const managedTypes: ReadonlySet<string> = new Set<DnsRecordType>(['A', 'AAAA', 'CNAME']);
/** Most pages read in one listing or zone lookup; beyond it the call fails rather than loops. */
const maxPages = 1000;

/** Route 53 name → Headroom name: lower case, no trailing dot, `\052`-style escapes decoded. */
export function normalizeRoute53Name(name: string): string {
  return name
    .replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
    .replace(/\.$/, '')
    .toLowerCase();
}

function normalizeDomain(domain: string): string {
  return domain.replace(/\.$/, '').toLowerCase();
}

function isWithin(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

function stripHostedZonePrefix(hostedZoneId: string): string {
  return hostedZoneId.replace(/^\/hostedzone\//, '');
}

function isChangeBatchError(error: unknown, pattern: RegExp): boolean {
  if (getAwsErrorCode(error) !== 'InvalidChangeBatch') return false;
  const fields = error as { message?: unknown; messages?: unknown };
  const texts = [fields.message, ...(Array.isArray(fields.messages) ? fields.messages : [])];
  return texts.some((text) => typeof text === 'string' && pattern.test(text));
}

/**
 * Creates the Route 53 DNS provider. The hosted zone of a base domain is the most specific zone
 * whose name is the domain or one of its parents (or `hostedZoneId` when set); it is looked up
 * once per base domain.
 */
export function createAwsDnsProvider(settings: AwsDnsProviderSettings = {}): AwsDnsProvider {
  const { route53Client: injectedClient, ...configSettings } = settings;
  const parsed = parseAwsSettings({ schema: awsDnsProviderSettingsSchema, settings: configSettings });
  let clientPromise: Promise<AwsRoute53Client> | undefined;
  const hostedZoneCache = new Map<string, Promise<string>>();

  const getClient = (): Promise<AwsRoute53Client> => {
    clientPromise ??= injectedClient
      ? Promise.resolve(injectedClient)
      : createAwsSdkRoute53Client({
          region: parsed.region,
          credentials: createAwsCredentialsProvider(parsed),
          endpoint: parsed.endpoint,
          maxAttempts: parsed.maxAttempts,
        });
    return clientPromise;
  };

  const lookUpHostedZone = async (zone: string, abortSignal: AbortSignal | undefined): Promise<string> => {
    const client = await getClient();
    const labels = zone.split('.');
    for (let index = 0; index < labels.length - 1; index++) {
      const candidate = labels.slice(index).join('.');
      const matches: string[] = [];
      let dnsName: string | undefined = candidate;
      let hostedZoneId: string | undefined;
      for (let page = 0; page < maxPages && dnsName !== undefined; page++) {
        const result = await callAws({
          operation: 'ListHostedZonesByName',
          abortSignal,
          call: () =>
            client.listHostedZonesByName(
              { DNSName: dnsName, MaxItems: 100, ...(hostedZoneId ? { HostedZoneId: hostedZoneId } : {}) },
              { abortSignal },
            ),
        });
        const hostedZones = result.HostedZones ?? [];
        for (const hostedZone of hostedZones) {
          if (hostedZone.Id && normalizeRoute53Name(hostedZone.Name ?? '') === candidate) {
            matches.push(stripHostedZonePrefix(hostedZone.Id));
          }
        }
        // Zones are sorted by name: once a page ends past the candidate, no more matches follow.
        const next = result.IsTruncated ? result.NextDNSName : undefined;
        dnsName = next !== undefined && normalizeRoute53Name(next) === candidate ? next : undefined;
        hostedZoneId = result.NextHostedZoneId;
      }
      if (matches.length === 1) return matches[0] as string;
      if (matches.length > 1) {
        throw new InvalidProviderConfigError({
          providerId: AWS_PROVIDER_ID,
          field: 'hostedZoneId',
          message: `${matches.length} hosted zones are named ${candidate} (${matches.join(', ')}); set hostedZoneId to choose one`,
        });
      }
    }
    throw new InvalidProviderConfigError({
      providerId: AWS_PROVIDER_ID,
      field: 'hostedZoneId',
      message: `no Route 53 hosted zone serves ${zone} or a parent domain`,
    });
  };

  const getHostedZoneId = (zone: string, abortSignal: AbortSignal | undefined): Promise<string> => {
    if (parsed.hostedZoneId !== undefined) return Promise.resolve(stripHostedZonePrefix(parsed.hostedZoneId));
    let hostedZoneId = hostedZoneCache.get(zone);
    if (!hostedZoneId) {
      hostedZoneId = lookUpHostedZone(zone, abortSignal);
      hostedZoneId.catch(() => hostedZoneCache.delete(zone));
      hostedZoneCache.set(zone, hostedZoneId);
    }
    return hostedZoneId;
  };

  const checkName = (zoneInput: string, nameInput: string): { zone: string; name: string } => {
    const zone = normalizeDomain(zoneInput);
    const name = normalizeDomain(nameInput);
    if (!isWithin(name, zone)) {
      throw new InvalidProviderConfigError({
        providerId: AWS_PROVIDER_ID,
        field: 'baseDomain',
        message: `record ${name} is not inside the zone ${zone}`,
      });
    }
    return { zone, name };
  };

  /** The record set of a name and type, or `undefined` when there is none. */
  const readRecordSet = async (options: {
    hostedZoneId: string;
    name: string;
    type: DnsRecordType;
    abortSignal: AbortSignal | undefined;
  }): Promise<ResourceRecordSet | undefined> => {
    const client = await getClient();
    const result = await callAws({
      operation: 'ListResourceRecordSets',
      abortSignal: options.abortSignal,
      call: () =>
        client.listResourceRecordSets(
          {
            HostedZoneId: options.hostedZoneId,
            StartRecordName: `${options.name}.`,
            StartRecordType: options.type,
            MaxItems: 1,
          },
          { abortSignal: options.abortSignal },
        ),
    });
    const first = result.ResourceRecordSets?.[0];
    if (!first || first.Type !== options.type || normalizeRoute53Name(first.Name ?? '') !== options.name)
      return undefined;
    return first;
  };

  return {
    specificationVersion: 'v1',
    providerId: AWS_PROVIDER_ID,

    async upsertRecord(options) {
      const { abortSignal, type, value, ttlSeconds } = options;
      abortSignal?.throwIfAborted();
      const { zone, name } = checkName(options.zone, options.name);
      const hostedZoneId = await getHostedZoneId(zone, abortSignal);
      const client = await getClient();
      await callAws({
        operation: 'ChangeResourceRecordSets',
        abortSignal,
        call: () =>
          client.changeResourceRecordSets(
            {
              HostedZoneId: hostedZoneId,
              ChangeBatch: {
                Comment: 'headroom upsert',
                Changes: [
                  {
                    Action: 'UPSERT',
                    ResourceRecordSet: {
                      Name: `${name}.`,
                      Type: type,
                      TTL: ttlSeconds,
                      ResourceRecords: [{ Value: value }],
                    },
                  },
                ],
              },
            },
            { abortSignal },
          ),
      });
    },

    async deleteRecord(options) {
      const { abortSignal, type } = options;
      abortSignal?.throwIfAborted();
      const { zone, name } = checkName(options.zone, options.name);
      const hostedZoneId = await getHostedZoneId(zone, abortSignal);
      const client = await getClient();
      // DELETE must repeat the current values: read them, and re-read once if they changed meanwhile.
      for (let attempt = 1; ; attempt++) {
        const recordSet = await readRecordSet({ hostedZoneId, name, type, abortSignal });
        if (!recordSet) return;
        try {
          await callAws({
            operation: 'ChangeResourceRecordSets',
            abortSignal,
            call: async () => {
              try {
                await client.changeResourceRecordSets(
                  {
                    HostedZoneId: hostedZoneId,
                    ChangeBatch: {
                      Comment: 'headroom delete',
                      Changes: [{ Action: 'DELETE', ResourceRecordSet: recordSet }],
                    },
                  },
                  { abortSignal },
                );
              } catch (error) {
                if (isChangeBatchError(error, /but it was not found/i)) return;
                throw error;
              }
            },
          });
          return;
        } catch (error) {
          const valuesChanged = ProviderApiError.isInstance(error) && isChangeBatchError(error.cause, /do not match/i);
          if (!valuesChanged || attempt >= 2) throw error;
        }
      }
    },

    async listRecords(options) {
      const { abortSignal } = options;
      abortSignal?.throwIfAborted();
      const zone = normalizeDomain(options.zone);
      const hostedZoneId = await getHostedZoneId(zone, abortSignal);
      const client = await getClient();
      const records: DnsRecord[] = [];
      let start: Pick<ListResourceRecordSetsRequest, 'StartRecordName' | 'StartRecordType' | 'StartRecordIdentifier'> =
        {};
      for (let page = 0; ; page++) {
        if (page >= maxPages) {
          throw new ProviderApiError({
            providerId: AWS_PROVIDER_ID,
            message: `ListResourceRecordSets returned more than ${maxPages} pages`,
            isRetryable: false,
          });
        }
        const result = await callAws({
          operation: 'ListResourceRecordSets',
          abortSignal,
          call: () => client.listResourceRecordSets({ HostedZoneId: hostedZoneId, ...start }, { abortSignal }),
        });
        for (const recordSet of result.ResourceRecordSets ?? []) {
          const name = normalizeRoute53Name(recordSet.Name ?? '');
          if (!managedTypes.has(recordSet.Type ?? '') || !isWithin(name, zone)) continue;
          // Alias and routing-policy records are not Headroom's.
          if (recordSet.AliasTarget || recordSet.SetIdentifier) continue;
          for (const resourceRecord of recordSet.ResourceRecords ?? []) {
            if (resourceRecord.Value === undefined) continue;
            records.push({
              zone,
              name,
              type: recordSet.Type as DnsRecordType,
              value: resourceRecord.Value,
              ttlSeconds: recordSet.TTL ?? 0,
            });
          }
        }
        if (!result.IsTruncated || !result.NextRecordName) break;
        start = {
          StartRecordName: result.NextRecordName,
          ...(result.NextRecordType ? { StartRecordType: result.NextRecordType } : {}),
          ...(result.NextRecordIdentifier ? { StartRecordIdentifier: result.NextRecordIdentifier } : {}),
        };
      }
      return records;
    },

    async close() {
      if (!clientPromise) return;
      const client = await clientPromise.catch(() => undefined);
      clientPromise = undefined;
      if (client && client !== injectedClient) client.destroy?.();
    },
  } satisfies AwsDnsProvider;
}
