import type { Clock } from '../clock/clock.js';
import { InsufficientCapacityError } from '../errors/insufficient-capacity-error.js';
import { InvalidProviderConfigError } from '../errors/invalid-provider-config-error.js';
import type { Resources } from '../model/resources.js';
import { HEADROOM_TAGS } from '../provider/tags.js';
import type { DnsRecord, DnsRecordType } from '../provider/v1/dns-record.js';
import type { ProviderInstance, ProviderInstanceState } from '../provider/v1/provider-v1-instance.js';

/** One instance as the fake cloud stores it (JSON-serialisable). */
export interface FakeCloudInstanceRecord {
  providerId: string;
  instanceId: string;
  name: string;
  idempotencyKey: string;
  tags: Record<string, string>;
  shape: Resources;
  startupScript?: string;
  privateAddress: string;
  createdAtMs: number;
  /** Set by `destroyInstance`; the instance is `stopping` until `destroyDelayMs` later, then gone. */
  destroyRequestedAtMs?: number;
  /** Set by `failInstance`: the instance is listed as `failed`. */
  failed?: boolean;
  /** Boot time drawn for this instance when the cloud's `bootDelayMs` is a function. */
  bootDelayMs?: number;
}

/** Live-instance counters of one provider or one pool. */
export interface FakeCloudCounters {
  liveInstances: number;
  /** Highest number of live (pending, running, failed or stopping) instances seen at any moment. */
  maxLiveInstances: number;
  createdInstances: number;
  destroyedInstances: number;
}

/** Counters of the whole cloud: by provider id, and by `headroom-pool` tag value within a provider. */
export interface FakeCloudStats {
  providers: Record<string, FakeCloudCounters>;
  /** Keyed `<providerId>/<headroom-pool tag>`; instances without the tag count under `<providerId>/`. */
  pools: Record<string, FakeCloudCounters>;
  dnsRecords: number;
}

/** Everything the fake cloud knows, as stored in its JSON state file. */
export interface FakeCloudSnapshot {
  version: 1;
  /** Clock instant the snapshot was taken. */
  savedAtMs: number;
  sequence: number;
  /** Live instances and retired ones (kept so that a repeated idempotency key finds its instance). */
  instances: FakeCloudInstanceRecord[];
  dnsRecords: DnsRecord[];
  stats: FakeCloudStats;
}

export interface FakeCloudOptions {
  clock: Clock;
  /**
   * Time from create to `running`. Default 0. A function is called once per created instance (with
   * its record, before it is stored) and its result is kept on the record.
   */
  bootDelayMs?: number | ((instance: FakeCloudInstanceRecord) => number);
  /** Time a destroyed instance stays listed as `stopping` (and counts as live). Default 0. */
  destroyDelayMs?: number;
  /** Hard cap of live instances per provider id; creates beyond it fail with InsufficientCapacityError. */
  maxInstances?: number;
  /** DNS zones served; when given, any other zone is an InvalidProviderConfigError. Default: every zone. */
  dnsZones?: string[];
  /** State to start from (from a state file). */
  snapshot?: FakeCloudSnapshot;
}

export interface FakeCloudCreateInput {
  providerId: string;
  name: string;
  idempotencyKey: string;
  tags: Record<string, string>;
  shape: Resources;
  startupScript?: string;
}

/**
 * The state of a fake cloud, synchronous and free of faults and latency: the in-memory fake
 * provider and the fake cloud HTTP server both keep their instances and records in one.
 */
export interface FakeCloud {
  /** Creates an instance, or returns the one an earlier call with the same key created. */
  createInstance(input: FakeCloudCreateInput): { instance: ProviderInstance; created: boolean };
  /** Starts destroying an instance. Unknown and already destroyed instances are ignored. */
  destroyInstance(input: { providerId: string; instanceId: string }): void;
  /** Live instances of the provider carrying all of `tags` (every instance when `tags` is empty). */
  listInstances(input: { providerId: string; tags: Record<string, string> }): ProviderInstance[];
  /** Marks a live instance as failed (it stays listed and counted until destroyed). */
  failInstance(input: { providerId: string; instanceId: string }): void;
  /** The stored record of an instance, live or retired; includes its startup script. */
  getInstanceRecord(input: { providerId: string; instanceId: string }): FakeCloudInstanceRecord | undefined;
  upsertRecord(input: { zone: string; name: string; type: DnsRecordType; value: string; ttlSeconds: number }): void;
  deleteRecord(input: { zone: string; name: string; type: DnsRecordType }): void;
  listRecords(input: { zone: string }): DnsRecord[];
  stats(): FakeCloudStats;
  snapshot(): FakeCloudSnapshot;
  /** Forgets every instance, record and counter. */
  reset(): void;
}

const emptyCounters = (): FakeCloudCounters => ({
  liveInstances: 0,
  maxLiveInstances: 0,
  createdInstances: 0,
  destroyedInstances: 0,
});

/** `127.a.b.c` for the n-th instance: loopback-looking, unique for 16 million instances, never dialled. */
export function fakeAddress(sequence: number): string {
  const index = sequence - 1;
  const low = (index % 254) + 1;
  const middle = Math.floor(index / 254) % 256;
  const high = Math.floor(index / 254 / 256) % 255;
  return `127.${high}.${middle}.${low}`;
}

function matchesTags(recordTags: Record<string, string>, tags: Record<string, string>): boolean {
  for (const key in tags) if (recordTags[key] !== tags[key]) return false;
  return true;
}

const recordKey = (zone: string, name: string, type: DnsRecordType) => `${zone}\u0000${name}\u0000${type}`;
const instanceKey = (providerId: string, id: string) => `${providerId}\u0000${id}`;

/**
 * Creates the fake cloud's state (see `FakeCloud`).
 *
 * Length: a factory whose body is the returned object's methods (each short) over shared closure
 * state; splitting it would only thread that state through parameters.
 */
export function createFakeCloud(options: FakeCloudOptions): FakeCloud {
  const bootDelayOption = options.bootDelayMs ?? 0;
  const bootDelayMs = typeof bootDelayOption === 'number' ? bootDelayOption : 0;
  const destroyDelayMs = options.destroyDelayMs ?? 0;
  let sequence = 0;
  /** Live instances (including stopping ones) by provider and instance id. */
  let live = new Map<string, FakeCloudInstanceRecord>();
  /** Every instance ever created, by provider and idempotency key. */
  let byIdempotencyKey = new Map<string, FakeCloudInstanceRecord>();
  let byInstanceId = new Map<string, FakeCloudInstanceRecord>();
  let dnsRecords = new Map<string, DnsRecord>();
  let providerCounters = new Map<string, FakeCloudCounters>();
  let poolCounters = new Map<string, FakeCloudCounters>();

  const countersOf = (map: Map<string, FakeCloudCounters>, key: string): FakeCloudCounters => {
    let counters = map.get(key);
    if (!counters) {
      counters = emptyCounters();
      map.set(key, counters);
    }
    return counters;
  };
  const poolKey = (record: FakeCloudInstanceRecord) => `${record.providerId}/${record.tags[HEADROOM_TAGS.pool] ?? ''}`;

  const index = (record: FakeCloudInstanceRecord) => {
    byIdempotencyKey.set(instanceKey(record.providerId, record.idempotencyKey), record);
    byInstanceId.set(instanceKey(record.providerId, record.instanceId), record);
  };

  const load = (snapshot: FakeCloudSnapshot) => {
    sequence = snapshot.sequence;
    for (const record of snapshot.instances) {
      index(record);
      // Live when the snapshot was taken: the counters count it, and `sweep` retires it when due.
      if (!isGone(record, snapshot.savedAtMs)) live.set(instanceKey(record.providerId, record.instanceId), record);
    }
    for (const record of snapshot.dnsRecords) dnsRecords.set(recordKey(record.zone, record.name, record.type), record);
    for (const [key, counters] of Object.entries(snapshot.stats.providers)) providerCounters.set(key, { ...counters });
    for (const [key, counters] of Object.entries(snapshot.stats.pools)) poolCounters.set(key, { ...counters });
  };

  const isGone = (record: FakeCloudInstanceRecord, nowMs = options.clock.now()) =>
    record.destroyRequestedAtMs !== undefined && nowMs >= record.destroyRequestedAtMs + destroyDelayMs;

  /** Retires instances whose destroy delay is over. */
  const sweep = () => {
    const nowMs = options.clock.now();
    for (const [key, record] of live) {
      if (!isGone(record, nowMs)) continue;
      live.delete(key);
      countersOf(providerCounters, record.providerId).liveInstances -= 1;
      countersOf(poolCounters, poolKey(record)).liveInstances -= 1;
    }
  };

  const stateOf = (record: FakeCloudInstanceRecord): ProviderInstanceState => {
    if (record.destroyRequestedAtMs !== undefined) return 'stopping';
    if (record.failed) return 'failed';
    return options.clock.now() < record.createdAtMs + (record.bootDelayMs ?? bootDelayMs) ? 'pending' : 'running';
  };

  /** ISO creation instants by record: listings format them once, not on every call. */
  const createdAtIso = new WeakMap<FakeCloudInstanceRecord, string>();
  const createdAtOf = (record: FakeCloudInstanceRecord): string => {
    let iso = createdAtIso.get(record);
    if (iso === undefined) {
      iso = new Date(record.createdAtMs).toISOString();
      createdAtIso.set(record, iso);
    }
    return iso;
  };

  const toProviderInstance = (record: FakeCloudInstanceRecord): ProviderInstance => ({
    instanceId: record.instanceId,
    name: record.name,
    state: stateOf(record),
    tags: { ...record.tags },
    shape: { ...record.shape },
    privateAddress: record.privateAddress,
    createdAt: createdAtOf(record),
  });

  const checkZone = (zone: string, name?: string) => {
    if (options.dnsZones && !options.dnsZones.includes(zone)) {
      throw new InvalidProviderConfigError({ providerId: 'fake-dns', field: 'zone', message: `unknown zone ${zone}` });
    }
    if (name !== undefined && name !== zone && !name.endsWith(`.${zone}`)) {
      throw new InvalidProviderConfigError({
        providerId: 'fake-dns',
        field: 'name',
        message: `record ${name} is not in zone ${zone}`,
      });
    }
  };

  const stats = (): FakeCloudStats => {
    sweep();
    return {
      providers: Object.fromEntries([...providerCounters].map(([key, counters]) => [key, { ...counters }])),
      pools: Object.fromEntries([...poolCounters].map(([key, counters]) => [key, { ...counters }])),
      dnsRecords: dnsRecords.size,
    };
  };

  if (options.snapshot) load(options.snapshot);

  return {
    createInstance(input) {
      sweep();
      const existing = byIdempotencyKey.get(instanceKey(input.providerId, input.idempotencyKey));
      if (existing) return { instance: toProviderInstance(existing), created: false };
      const providerCounter = countersOf(providerCounters, input.providerId);
      if (options.maxInstances !== undefined && providerCounter.liveInstances >= options.maxInstances) {
        throw new InsufficientCapacityError({
          providerId: input.providerId,
          message: `capacity of ${options.maxInstances} instances reached`,
        });
      }
      sequence += 1;
      const record: FakeCloudInstanceRecord = {
        providerId: input.providerId,
        instanceId: `fake-${String(sequence).padStart(8, '0')}`,
        name: input.name,
        idempotencyKey: input.idempotencyKey,
        tags: { ...input.tags },
        shape: { ...input.shape },
        ...(input.startupScript !== undefined ? { startupScript: input.startupScript } : {}),
        privateAddress: fakeAddress(sequence),
        createdAtMs: options.clock.now(),
      };
      if (typeof bootDelayOption === 'function') record.bootDelayMs = bootDelayOption(structuredClone(record));
      index(record);
      live.set(instanceKey(record.providerId, record.instanceId), record);
      for (const counters of [providerCounter, countersOf(poolCounters, poolKey(record))]) {
        counters.liveInstances += 1;
        counters.createdInstances += 1;
        counters.maxLiveInstances = Math.max(counters.maxLiveInstances, counters.liveInstances);
      }
      return { instance: toProviderInstance(record), created: true };
    },
    destroyInstance(input) {
      sweep();
      const record = live.get(instanceKey(input.providerId, input.instanceId));
      if (!record || record.destroyRequestedAtMs !== undefined) return;
      record.destroyRequestedAtMs = options.clock.now();
      countersOf(providerCounters, record.providerId).destroyedInstances += 1;
      countersOf(poolCounters, poolKey(record)).destroyedInstances += 1;
      sweep();
    },
    listInstances(input) {
      sweep();
      const result: ProviderInstance[] = [];
      for (const record of live.values()) {
        if (record.providerId === input.providerId && matchesTags(record.tags, input.tags)) {
          result.push(toProviderInstance(record));
        }
      }
      return result;
    },
    failInstance(input) {
      sweep();
      const record = live.get(instanceKey(input.providerId, input.instanceId));
      if (record) record.failed = true;
    },
    getInstanceRecord(input) {
      const record = byInstanceId.get(instanceKey(input.providerId, input.instanceId));
      return record ? structuredClone(record) : undefined;
    },
    upsertRecord(input) {
      checkZone(input.zone, input.name);
      dnsRecords.set(recordKey(input.zone, input.name, input.type), {
        zone: input.zone,
        name: input.name,
        type: input.type,
        value: input.value,
        ttlSeconds: input.ttlSeconds,
      });
    },
    deleteRecord(input) {
      checkZone(input.zone, input.name);
      dnsRecords.delete(recordKey(input.zone, input.name, input.type));
    },
    listRecords(input) {
      checkZone(input.zone);
      return [...dnsRecords.values()].filter((record) => record.zone === input.zone).map((record) => ({ ...record }));
    },
    stats,
    snapshot() {
      const savedStats = stats();
      return {
        version: 1,
        savedAtMs: options.clock.now(),
        sequence,
        instances: [...byInstanceId.values()].map((record) => structuredClone(record)),
        dnsRecords: [...dnsRecords.values()].map((record) => ({ ...record })),
        stats: savedStats,
      };
    },
    reset() {
      sequence = 0;
      live = new Map();
      byIdempotencyKey = new Map();
      byInstanceId = new Map();
      dnsRecords = new Map();
      providerCounters = new Map();
      poolCounters = new Map();
    },
  };
}
