/** DNS record types Headroom manages. */
export type DnsRecordType = 'A' | 'AAAA' | 'CNAME';

/** A DNS record as the DNS provider reports it. `name` is fully qualified without a trailing dot. */
export interface DnsRecord {
  zone: string;
  name: string;
  type: DnsRecordType;
  value: string;
  ttlSeconds: number;
}
