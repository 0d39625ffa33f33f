import type { Clock, Timers } from '../clock/clock.js';
import type { HeadroomConfig } from '../config/config-schema.js';
import type { ComputerRecordDirectory } from '../directory/computer-record-directory.js';
import type { FleetSnapshot } from '../model/instance.js';
import type { DemandGrowthProfile } from '../planner/demand-growth-profile.js';
import type { DestroyCause, ScalingPlan } from '../planner/scaling-plan.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import type { DnsProviderV1 } from '../provider/v1/dns-provider-v1.js';
import type { LeaderElector, StateStore } from '../store/state-store.js';
import type { AutoscalerEvent } from './autoscaler-events.js';

/** Where the autoscaler learns what the control plane sees (DESIGN §4). */
export interface InventorySource {
  /** The fleet as the control plane sees it now. Instance ids are Headroom ids (the deterministic names). */
  getSnapshot(options: { now: number; abortSignal?: AbortSignal }): Promise<FleetSnapshot>;
}

/** Per-provider call limits. */
export interface RateLimitOptions {
  /** Calls started per second (evenly spaced). */
  callsPerSecond: number;
  /** Calls in flight at once. */
  concurrency: number;
}

/** Retries of retryable provider errors (`ProviderApiError.isRetryable`). */
export interface RetryOptions {
  /** Attempts in total, including the first. */
  maxAttempts: number;
  /** Backoff cap of the first retry; doubles per retry. */
  initialDelayMs: number;
  /** Upper bound of the backoff cap. */
  maxDelayMs: number;
}

export interface OrphanOptions {
  /** `destroy` collects orphans after the grace period; `report` only emits `orphan-found`. */
  mode: 'destroy' | 'report';
  /** How long a managed instance unknown to the store is left alone (it may be a create in flight). */
  graceSeconds: number;
}

export interface AutoscalerOptions {
  /** From `parseConfig`. */
  config: HeadroomConfig;
  store: StateStore;
  /** Default: single-process (always leader, epoch 1). */
  leaderElector?: LeaderElector;
  /** Compute providers by provider config id (`aws-east`). */
  providers: Record<string, ComputeProviderV1>;
  /** DNS providers by DNS provider config id. */
  dnsProviders?: Record<string, DnsProviderV1>;
  /** Directories for Active Directory computer records, by `ldapConfigs` id. */
  directories?: Record<string, ComputerRecordDirectory>;
  /** The one-time join password of a new computer record. Default: 32 random characters (`generateJoinPassword`). */
  generateJoinPassword?: () => string;
  inventory: InventorySource;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: the system timers. */
  timers?: Timers;
  /** Random numbers in [0, 1) for jitter and idempotency keys. Default `Math.random`. */
  random?: () => number;
  /** Structural dry run: providers and the store are wrapped so nothing in the cloud, DNS or store changes. */
  dryRun?: boolean;
  /** Value of the `headroom-managed-by` tag. Default `headroom`. */
  managedBy?: string;
  /** Default `{ mode: 'destroy', graceSeconds: 600 }`. */
  orphans?: OrphanOptions;
  /** Per provider (compute and DNS). Default `{ callsPerSecond: 10, concurrency: 4 }`. */
  rateLimit?: RateLimitOptions;
  /** Default `{ maxAttempts: 4, initialDelayMs: 1000, maxDelayMs: 30000 }`. */
  retry?: RetryOptions;
  /**
   * How long an open create intent of an earlier process may stay unresolved (no instance carries
   * its tag) before it is marked failed. Default 120.
   */
  intentGraceSeconds?: number;
  /**
   * How long settled (done or failed) intents are kept after they were created; older ones are
   * deleted at most once an hour. Open intents are never deleted. Default 604800 (7 days).
   */
  intentRetentionSeconds?: number;
  /**
   * Longest time between two full verifications (ledger against the listing, orphans, stale DNS).
   * A tick verifies fully anyway when a provider's listing changed, an intent is open, the config
   * changed, the previous tick wrote to the store or had errors, or unknown instances await their
   * orphan grace; otherwise it skips those steps until this much time passed. 0 verifies every
   * tick. Default 300.
   */
  fullVerificationIntervalSeconds?: number;
  /** Values for startup-script placeholders of a new instance (e.g. `checkin_jwt`), merged over the defaults. */
  startupScriptValues?: (instance: {
    id: string;
    pool: string;
    autoscale: string;
    provider: string;
  }) => Promise<Record<string, string>> | Record<string, string>;
  /**
   * Digests the host pinned per workspace id (first resolution, then operator rolls), read before
   * every plan and passed to `computeScalingPlan` as `imagePins`: new agents pull the pinned digest,
   * agents holding another one are not ready (see `computeImagePlan`). The host keeps the pins
   * durable; a config `digest` wins. Default: no pins.
   */
  imagePins?: () => Promise<Readonly<Record<string, string>>> | Readonly<Record<string, string>>;
  /**
   * Demand-growth profiles the host learnt (by `autoscaleKey`), read before every plan and passed
   * to `computeScalingPlan` as `demandProfiles`, for configs with `predictiveStandby` (e.g. the
   * simulator's, learnt from a trace). They are merged over the profiles the reconciler learns
   * itself for `learnFrom: history` configs (the host's wins per key). Default: none.
   */
  demandProfiles?: (options: {
    nowMs: number;
  }) => Promise<Readonly<Record<string, DemandGrowthProfile>>> | Readonly<Record<string, DemandGrowthProfile>>;
  /** Typed events for logs and metrics; a throwing listener is ignored. */
  onEvent?: (event: AutoscalerEvent) => void;
}

/** One failure of a tick; the tick goes on with what it can do safely. */
export interface TickError {
  /** What failed: `inventory`, `store`, `provider:<id>`, `dns:<id>`, `create`, `destroy`, ... */
  scope: string;
  message: string;
  /** Error class name (`ProviderApiError`, ...). */
  errorClass: string;
}

/** What a tick did. */
export interface TickActions {
  /** Headroom ids of instances the cloud accepted. */
  created: string[];
  /** Creates that failed and were cleaned up. */
  createFailed: number;
  /** Headroom ids destroyed (by plan, recovery or as orphans). */
  destroyed: { id: string; cause: DestroyCause | 'orphan' | 'recovery' }[];
  destroyFailed: number;
  /** Destroys skipped because the instance has sessions (or is not known to the ledger). */
  destroySkipped: { id: string; reason: string }[];
  /**
   * Planned drains and undrains of instances in the ledger, for the control plane to honour (a
   * draining instance takes no new sessions; the planner destroys it once empty).
   */
  drained: { id: string; reason: string }[];
  undrained: { id: string; reason: string }[];
  /** Open intents resolved (adopted, finished or marked failed). */
  intentsResolved: number;
  /** Settled intents deleted because they outlived `intentRetentionSeconds`. */
  intentsDeleted: number;
  /** Provider instance ids of orphans found (reported or destroyed). */
  orphansFound: string[];
  orphansDestroyed: string[];
  dnsUpserted: string[];
  dnsDeleted: string[];
  /** DNs of Active Directory computer records created and deleted. */
  computerRecordsCreated: string[];
  computerRecordsDeleted: string[];
}

export interface TickResult {
  /** ISO instant of the tick. */
  at: string;
  leader: boolean;
  /** Leadership epoch when leader. */
  epoch?: number;
  plan?: ScalingPlan;
  actions: TickActions;
  errors: TickError[];
  durationMs: number;
}

export interface Autoscaler {
  /** One observe → plan → act → verify pass; `{ leader: false }` without actions when another replica leads. */
  tick(): Promise<TickResult>;
  /** Runs `tick()` every `config.scaler.intervalSeconds` (default 30) on the injected timers until `stop()`. */
  start(): void;
  /** Stops the loop: no new ticks; waits for the tick in flight (and its provider calls); releases leadership. */
  stop(): Promise<void>;
  /** Swaps the config for the next tick (the caller validated it). */
  updateConfig(config: HeadroomConfig): void;
  /**
   * Marks an instance (Headroom id or provider instance id) as checked in, and keeps the `status`
   * its script reported (in its ledger entry's `serverStatus`); a status other than `running`
   * is kept without marking the check-in. Unknown ids are ignored.
   */
  recordCheckin(options: {
    instanceId: string;
    at: number;
    status?: { status: string; message?: string; progress?: string };
  }): Promise<void>;
  /**
   * An operator drains (`drained: true`) or undrains a ledger instance (Headroom id): written to
   * the ledger (`operatorDrainedAt`) by the next tick's observe step, which this call waits for
   * (it runs one when no tick is in flight). From then on the planner sees the instance
   * `draining` (no new sessions; destroyed once empty) and never undrains it itself. Resolves
   * true once written, false when this replica does not lead or the ledger lost the instance.
   */
  recordOperatorDrain(options: { instanceId: string; drained: boolean; at: number }): Promise<boolean>;
  lastTick(): TickResult | undefined;
}
