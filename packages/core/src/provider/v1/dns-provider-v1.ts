import type { DnsRecord, DnsRecordType } from './dns-record.js';

/**
 * The DNS contract. Record names are fully qualified (`agent-7.agents.example.com`), without a
 * trailing dot; `zone` is the base domain the zone serves.
 */
export interface DnsProviderV1 {
  readonly specificationVersion: 'v1';
  readonly providerId: string;

  /** Creates or replaces the record. @throws ProviderApiError | InvalidProviderConfigError */
  upsertRecord(options: {
    zone: string;
    name: string;
    type: DnsRecordType;
    value: string;
    ttlSeconds: number;
    abortSignal?: AbortSignal;
  }): Promise<void>;

  /** Deletes the record; a missing record counts as success. @throws ProviderApiError */
  deleteRecord(options: { zone: string; name: string; type: DnsRecordType; abortSignal?: AbortSignal }): Promise<void>;

  /** Lists the zone's A, AAAA and CNAME records (all pages). @throws ProviderApiError */
  listRecords(options: { zone: string; abortSignal?: AbortSignal }): Promise<DnsRecord[]>;
}
