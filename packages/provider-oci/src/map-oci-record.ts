import type { DnsRecord, DnsRecordType } from '@headroom/core/provider';
import type { models } from 'oci-dns';

/** Record data as OCI stores it: CNAME targets fully qualified with a trailing dot. */
export function toOciRecordData(type: DnsRecordType, value: string): string {
  return type === 'CNAME' ? `${value.replace(/\.$/, '')}.` : value;
}

/** Maps an OCI record to Headroom's: names and CNAME targets without a trailing dot. */
export function mapOciRecord(record: models.Record, zone: string): DnsRecord {
  return {
    zone,
    name: (record.domain ?? '').replace(/\.$/, '').toLowerCase(),
    type: record.rtype as DnsRecordType,
    value: record.rtype === 'CNAME' ? (record.rdata ?? '').replace(/\.$/, '') : (record.rdata ?? ''),
    ttlSeconds: record.ttl ?? 0,
  };
}
