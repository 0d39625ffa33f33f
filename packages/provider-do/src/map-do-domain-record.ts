import type { DnsRecord, DnsRecordType } from '@headroom/core/provider';

/** A record of `GET /v2/domains/{domain}/records`. */
export interface DoDomainRecord {
  id: number;
  type: string;
  /** Relative to the domain; `@` is the apex. */
  name: string;
  data: string;
  ttl: number;
}

/** A fully qualified name as the API writes it: relative to the domain, `@` for the apex. */
export function toDoRecordName(name: string, domain: string): string {
  const fqdn = name.replace(/\.$/, '').toLowerCase();
  if (fqdn === domain) return '@';
  return fqdn.endsWith(`.${domain}`) ? fqdn.slice(0, -(domain.length + 1)) : fqdn;
}

/** Record data as the API wants it: CNAME targets fully qualified with a trailing dot. */
export function toDoRecordData(type: DnsRecordType, value: string): string {
  return type === 'CNAME' ? `${value.replace(/\.$/, '')}.` : value;
}

/** Maps an API record to Headroom's: name fully qualified, CNAME target without a trailing dot. */
export function mapDoDomainRecord(options: { record: DoDomainRecord; domain: string; zone: string }): DnsRecord {
  const { record, domain } = options;
  const name = record.name === '@' ? domain : `${record.name}.${domain}`;
  const value = record.type === 'CNAME' ? (record.data === '@' ? domain : record.data.replace(/\.$/, '')) : record.data;
  return {
    zone: options.zone,
    name: name.toLowerCase(),
    type: record.type as DnsRecordType,
    value,
    ttlSeconds: record.ttl,
  };
}
