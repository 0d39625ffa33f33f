import { systemClock } from '../clock/clock.js';
import type { DnsProviderV1 } from '../provider/v1/dns-provider-v1.js';
import type { DnsRecord, DnsRecordType } from '../provider/v1/dns-record.js';
import { createSeededRandom } from '../random/create-seeded-random.js';
import { type FakeCallOptions, timersOf } from './create-fake-provider.js';
import { createFakeCallRunner } from './fake-call-runner.js';
import { createFakeCloud, type FakeCloud } from './fake-cloud.js';
import { createFaultInjector, type FakeFault, type FakeFaultRates } from './fake-faults.js';

type DnsOperation = 'upsert' | 'delete' | 'list';

const operationNames = { upsert: 'dns-upsert', delete: 'dns-delete', list: 'dns-list' } as const;

export interface FakeDnsUpsertCall extends DnsRecord {
  atMs: number;
}

export interface FakeDnsDeleteCall {
  zone: string;
  name: string;
  type: DnsRecordType;
  atMs: number;
}

export interface FakeDnsListCall {
  zone: string;
  atMs: number;
}

export interface FakeDnsProviderOptions extends FakeCallOptions {
  /** Default `fake-dns`. */
  providerId?: string;
  /** Zones served; any other zone is an InvalidProviderConfigError. Default: every zone. */
  zones?: string[];
  /** A cloud to share with a fake compute provider. Default: a new one. */
  cloud?: FakeCloud;
}

/** An in-memory DnsProviderV1 with call records and fault injection. */
export interface FakeDnsProvider extends DnsProviderV1 {
  readonly cloud: FakeCloud;
  readonly upsertCalls: FakeDnsUpsertCall[];
  readonly deleteCalls: FakeDnsDeleteCall[];
  readonly listCalls: FakeDnsListCall[];
  /** Makes the next `count` (default 1) calls of `operation` fail with `fault` (not capacity or quota). */
  injectFault(options: { fault: FakeFault; operation: DnsOperation; count?: number }): void;
  setFaultRates(options: { rates: FakeFaultRates; operations?: readonly DnsOperation[] }): void;
  /** Every record of a zone, without recording a list call. */
  records(options: { zone: string }): DnsRecord[];
  /** Clears records, call records and faults. Shared clouds are reset as a whole. */
  reset(): void;
}

export function createFakeDnsProvider(options: FakeDnsProviderOptions = {}): FakeDnsProvider {
  const providerId = options.providerId ?? 'fake-dns';
  const clock = options.clock ?? systemClock;
  const cloud = options.cloud ?? createFakeCloud({ clock, ...(options.zones ? { dnsZones: options.zones } : {}) });
  const injector = createFaultInjector({ random: options.random ?? createSeededRandom(options.seed ?? 1) });
  if (options.faultRates) {
    injector.setRates({ rates: options.faultRates, operations: ['dns-upsert', 'dns-delete', 'dns-list'] });
  }
  const runner = createFakeCallRunner({
    providerId,
    clock,
    timers: options.timers ?? timersOf(options.clock),
    injector,
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
  });

  const dns: FakeDnsProvider = {
    specificationVersion: 'v1',
    providerId,
    cloud,
    upsertCalls: [],
    deleteCalls: [],
    listCalls: [],
    upsertRecord({ abortSignal, ...record }) {
      dns.upsertCalls.push({ ...record, atMs: clock.now() });
      return runner.run({ operation: 'dns-upsert', abortSignal, perform: () => cloud.upsertRecord(record) });
    },
    deleteRecord({ abortSignal, ...record }) {
      dns.deleteCalls.push({ ...record, atMs: clock.now() });
      return runner.run({ operation: 'dns-delete', abortSignal, perform: () => cloud.deleteRecord(record) });
    },
    listRecords({ abortSignal, zone }) {
      dns.listCalls.push({ zone, atMs: clock.now() });
      return runner.run({ operation: 'dns-list', abortSignal, perform: () => cloud.listRecords({ zone }) });
    },
    injectFault({ fault, operation, count }) {
      injector.enqueue({ fault, operation: operationNames[operation], ...(count !== undefined ? { count } : {}) });
    },
    setFaultRates({ rates, operations = ['upsert', 'delete', 'list'] }) {
      injector.setRates({ rates, operations: operations.map((operation) => operationNames[operation]) });
    },
    records: ({ zone }) => cloud.listRecords({ zone }),
    reset() {
      cloud.reset();
      injector.clear();
      runner.reset();
      dns.upsertCalls.length = 0;
      dns.deleteCalls.length = 0;
      dns.listCalls.length = 0;
    },
  };
  return dns;
}
