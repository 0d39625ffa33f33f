import { type Clock, systemClock, systemTimers, type Timers } from '../clock/clock.js';
import type { DockerAgentAutoscaleConfig, HeadroomConfig } from '../config/config-schema.js';
import type { ComputerRecordDirectory } from '../directory/computer-record-directory.js';
import { generateJoinPassword } from '../directory/generate-join-password.js';
import type { DemandGrowthProfile } from '../planner/demand-growth-profile.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import type { DnsProviderV1 } from '../provider/v1/dns-provider-v1.js';
import type { ProviderInstance } from '../provider/v1/provider-v1-instance.js';
import type { Intent, LedgerInstance, ServerStatusRecord, StateStore } from '../store/state-store.js';
import type { AutoscalerEvent } from './autoscaler-events.js';
import type { AutoscalerOptions, OrphanOptions, RateLimitOptions } from './autoscaler-types.js';
import { withDnsDryRun, withDryRun, withDryRunStore } from './with-dry-run.js';
import { withDnsEvents, withEvents } from './with-events.js';
import { withDnsRateLimit, withRateLimit } from './with-rate-limit.js';
import { withDnsRetry, withRetry } from './with-retry.js';

const DEFAULT_RATE_LIMIT = { callsPerSecond: 10, concurrency: 4 };
const DEFAULT_RETRY = { maxAttempts: 4, initialDelayMs: 1000, maxDelayMs: 30_000 };
const DEFAULT_ORPHANS = { mode: 'destroy', graceSeconds: 600 } as const;
const DEFAULT_FULL_VERIFICATION_INTERVAL_SECONDS = 300;

/**
 * The ledger and open intents as this leader last read and wrote them: while it leads with the
 * same epoch, every write goes through the tick's writers, so this equals the store and a tick
 * need not read it again. Dropped when leadership or the epoch changes, or a tick failed.
 */
export interface StoreMemory {
  epoch: number;
  /** Ledger instances by Headroom id. */
  ledger: Map<string, LedgerInstance>;
  /** Open intents by key, in store order (`createdAt`, then key) with new ones appended. */
  openIntents: Map<string, Intent>;
}

/**
 * What `learnDemand` keeps across ticks: when it last sampled, learnt and deleted, and the
 * profiles learnt from the store's demand history (by `autoscaleKey`), which `planTick` merges
 * under the host's `demandProfiles`.
 */
export interface DemandLearning {
  /** Clock time of the last recorded samples; sampling waits 60 s after it. */
  sampledAtMs: number | undefined;
  /**
   * When each config's profile was last learnt (by `autoscaleKey`) and under which autoscale
   * config: relearnt after an hour, and at once when the config object changed (`updateConfig`).
   */
  learnt: Map<string, { atMs: number; autoscale: DockerAgentAutoscaleConfig }>;
  /** Clock time old samples were last deleted; at most once a day. */
  deletedAtMs: number | undefined;
  /** Learnt profiles by `autoscaleKey`; kept when a later learning fails. */
  profiles: Record<string, DemandGrowthProfile>;
}

/** One provider's last listing with its lookups, kept while the listing does not change. */
export interface ListingIndex {
  instances: ProviderInstance[];
  /** By provider instance id. */
  byId: Map<string, ProviderInstance>;
  /** By `headroom-intent` tag (the first instance carrying it). */
  byIntent: Map<string, ProviderInstance>;
}

/**
 * What the reconciler keeps for its whole life: the resolved options, the wrapped providers and
 * the memory that spans ticks. Tick steps read it through `TickContext.runtime`.
 */
export interface ReconcilerRuntime {
  readonly options: AutoscalerOptions;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: () => number;
  readonly managedBy: string;
  readonly orphans: OrphanOptions;
  readonly rateLimit: RateLimitOptions;
  readonly intentGraceMs: number;
  readonly intentRetentionMs: number;
  /** The store every write goes to (an in-memory copy under dry run). */
  readonly store: StateStore;
  /** Providers by provider config id, wrapped (dry run, events, rate limit, retry). */
  readonly providers: ReadonlyMap<string, ComputeProviderV1>;
  readonly dnsProviders: ReadonlyMap<string, DnsProviderV1>;
  /** Computer-record directories by `ldapConfigs` id (no-ops under dry run). */
  readonly directories: ReadonlyMap<string, ComputerRecordDirectory>;
  readonly generateJoinPassword: () => string;
  /** Calls `onEvent`; a throwing listener is ignored. */
  emit(event: AutoscalerEvent): void;
  /** True once `stop()` was called: no new creates start. */
  stopped: boolean;
  /** Sequence number mixed into intent keys. */
  intentSequence: number;
  /** When settled intents were last deleted (clock ms); at most once an hour. */
  intentsDeletedAtMs: number | undefined;
  /** Check-ins not yet written to the ledger, by Headroom or provider instance id. */
  readonly pendingCheckins: Map<string, number>;
  /** Server statuses not yet written to the ledger, by Headroom or provider instance id. */
  readonly pendingStatuses: Map<string, ServerStatusRecord>;
  /** Operator drains (`at` ms) and undrains (`null`) not yet written to the ledger, by Headroom id. */
  readonly pendingOperatorDrains: Map<string, number | null>;
  /** First time this process saw a managed instance it does not know, for those without `createdAt`. */
  readonly firstSeenMs: Map<string, number>;
  /** Orphans already reported (`report` mode reports each once). */
  readonly reportedOrphans: Set<string>;
  /** See `StoreMemory`; undefined until the first tick as leader and after a failed tick. */
  storeMemory: StoreMemory | undefined;
  /** Last listing of each provider (by provider config id). */
  readonly listings: Map<string, ListingIndex>;
  /** `fullVerificationIntervalSeconds` in ms. */
  readonly fullVerificationIntervalMs: number;
  /**
   * True when the next tick must verify fully: something was written to the store since the last
   * full verification, a tick had errors, or unknown instances await their orphan grace.
   */
  verificationDue: boolean;
  /** Clock time of the last full verification. */
  lastFullVerificationMs: number | undefined;
  /** The config the last tick ran with (a new one means a full verification). */
  lastConfig: HeadroomConfig | undefined;
  /** Predictive standby learnt from the store's demand history (`steps/learn-demand.ts`). */
  readonly demandLearning: DemandLearning;
}

/** Resolves the options' defaults and wraps every provider, innermost first: dry run, events, rate limit, retry. */
export function createReconcilerRuntime(options: AutoscalerOptions): ReconcilerRuntime {
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const random = options.random ?? Math.random;
  const rateLimit = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  const retry = options.retry ?? DEFAULT_RETRY;
  const emit = (event: AutoscalerEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's failure must not change what the reconciler does.
    }
  };
  const providers = new Map<string, ComputeProviderV1>();
  for (const [id, base] of Object.entries(options.providers)) {
    let provider = options.dryRun ? withDryRun(base, { clock }) : base;
    provider = withEvents(provider, { clock, emit, providerId: id });
    provider = withRateLimit(provider, { rateLimit, clock, timers });
    provider = withRetry(provider, { retry, timers, random });
    providers.set(id, provider);
  }
  const dnsProviders = new Map<string, DnsProviderV1>();
  for (const [id, base] of Object.entries(options.dnsProviders ?? {})) {
    let dns = options.dryRun ? withDnsDryRun(base) : base;
    dns = withDnsEvents(dns, { clock, emit, providerId: id });
    dns = withDnsRateLimit(dns, { rateLimit, clock, timers });
    dns = withDnsRetry(dns, { retry, timers, random });
    dnsProviders.set(id, dns);
  }
  const directories = new Map<string, ComputerRecordDirectory>();
  for (const [id, directory] of Object.entries(options.directories ?? {}))
    directories.set(id, options.dryRun ? withDirectoryDryRun(directory) : directory);
  return {
    options,
    clock,
    timers,
    random,
    managedBy: options.managedBy ?? 'headroom',
    orphans: options.orphans ?? DEFAULT_ORPHANS,
    rateLimit,
    intentGraceMs: (options.intentGraceSeconds ?? 120) * 1000,
    intentRetentionMs: (options.intentRetentionSeconds ?? 7 * 86_400) * 1000,
    store: options.dryRun ? withDryRunStore(options.store) : options.store,
    providers,
    dnsProviders,
    directories,
    generateJoinPassword: options.generateJoinPassword ?? (() => generateJoinPassword()),
    emit,
    stopped: false,
    intentSequence: 0,
    intentsDeletedAtMs: undefined,
    pendingCheckins: new Map(),
    pendingStatuses: new Map(),
    pendingOperatorDrains: new Map(),
    firstSeenMs: new Map(),
    reportedOrphans: new Set(),
    storeMemory: undefined,
    listings: new Map(),
    fullVerificationIntervalMs:
      (options.fullVerificationIntervalSeconds ?? DEFAULT_FULL_VERIFICATION_INTERVAL_SECONDS) * 1000,
    verificationDue: true,
    lastFullVerificationMs: undefined,
    lastConfig: undefined,
    demandLearning: {
      sampledAtMs: undefined,
      learnt: new Map(),
      deletedAtMs: undefined,
      profiles: {},
    },
  };
}

/** Under dry run: lists what is there, creates and deletes nothing. */
function withDirectoryDryRun(directory: ComputerRecordDirectory): ComputerRecordDirectory {
  return {
    async createComputerRecord(options) {
      return {
        dn: `CN=${options.computerName},${options.ouDn}`,
        computerName: options.computerName,
        instanceName: options.instanceName,
        intentKey: options.intentKey,
        createdAt: new Date(0).toISOString(),
      };
    },
    async deleteComputerRecord() {},
    listComputerRecords: (options) => directory.listComputerRecords(options),
  };
}
