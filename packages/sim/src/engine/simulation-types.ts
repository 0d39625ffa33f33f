import type { AutoscaleEntry, Instance, InstanceState, Resources, Session, StagingConfig } from '@headroom/core';
import type { ProviderCloudModel } from '../cloud-model.js';
import type { TraceSession } from '../trace/trace-session.js';
import type { PlacementIndex } from './placement-index.js';
import type { WasteCategory, WasteCounts } from './waste-tally.js';

/** One autoscale config of the config as the simulator runs it. */
export interface AutoscaleRuntime {
  entry: AutoscaleEntry;
  key: string;
  pool: PoolRuntime;
  model: ProviderCloudModel;
  pricePerInstanceHour: number;
  requireCheckin: boolean;
  checkinTimeoutMs?: number;
  /** Enabled and inside its schedules at the current instant. */
  active: boolean;
  nextTransitionMs: number;
  /** Instances created so far (names instances of the `planner` engine). */
  created: number;
  /**
   * Instances created by this config in creation order (so by creation time), from the oldest that
   * may still await its check-in; those checked in or destroyed are dropped from the front lazily.
   */
  awaitingCheckin: SimInstance[];
  /** Instances by waste category (see `waste-tally.ts`), kept current by `retally`. */
  waste: WasteCounts;
  /** Standby learnt from demand (predictive standby), in force now; the static standby stays a lower bound. */
  predictedStandby?: Resources;
}

/** One pool: its instances, its waiting sessions and the placement indexes over its accepting instances. */
export interface PoolRuntime {
  id: string;
  kind: 'docker-agent' | 'server';
  autoscale: AutoscaleRuntime[];
  instances: SimInstance[];
  queue: SimSession[];
  /** Component-wise smallest waiting request; undefined when it must be recomputed. */
  queueMinimum: Resources | undefined;
  /**
   * Accepting instances: the roomiest (ties: oldest) and those with the most free cores, memory and
   * GPUs (a session larger than those fits nowhere).
   */
  placement: PlacementIndex;
  /**
   * Workspace images a new agent pulls after its check-in before it takes sessions (docker-agent
   * pools whose enabled workspaces state a `sizeMb`; empty otherwise), with their summed size.
   */
  images: PoolImage[];
  imagesSizeMb: number;
}

/** One workspace image of a pool, as the agents report it once pulled. */
export interface PoolImage {
  workspace: string;
  reference: string;
  digest?: string;
  sizeMb: number;
}

/** A trace session once it arrived. */
export interface SimSession {
  trace: TraceSession;
  pool: PoolRuntime;
  arrivedAtMs: number;
  state: 'queued' | 'running' | 'done' | 'refused';
  instance?: SimInstance;
  sinceIso?: string;
  snapshotSession?: Session;
}

/** What the fleet totals last counted an instance as (see `retally`). */
export interface InstanceTally {
  accepting: boolean;
  idle: boolean;
  state: InstanceState | undefined;
}

/** An instance of the simulated fleet, with its planner view (`snapshot`) kept current. */
export interface SimInstance {
  id: string;
  autoscale: AutoscaleRuntime;
  state: InstanceState;
  checkedIn: boolean;
  createdAtMs: number;
  capacity: Resources;
  used: Resources;
  sessionCount: number;
  /** Server pools: sessions per user; anonymous sessions count separately. */
  users: Map<string, number>;
  anonymousSessions: number;
  /** Server pools: the sessions as the planner sees them. */
  sessionList: Session[];
  destroyed: boolean;
  snapshot: Instance;
  aggregate: Session;
  tally: InstanceTally;
  /** The instance's last contribution to its config's {@link WasteCounts}. */
  wasteTally: { category: WasteCategory; free: Resources; used: Resources };
  /** Creation order across the run. */
  order: number;
  /** Free room, as placement compares it; kept while accepting. */
  score: number;
  /** Slot in its pool's {@link PlacementIndex}, -1 when not accepting. */
  placementSlot: number;
  /** The planner's view of `sessions` for agents: one aggregate session when there are any. */
  aggregateList: Session[];
  /** Staged sessions held for a staging config (agents only); their resources are part of `used`. */
  staged: { session: Session; staging: StagingRuntime; createdAtMs: number }[];
  stagedUsed: Resources;
  /** False while the agent pulls its pool's images (it takes no sessions until then). */
  imagesReady: boolean;
  /** When the running pull started (undefined when none runs). */
  pullStartedAtMs?: number;
}

/** One staging config of a docker-agent autoscale config. */
export interface StagingRuntime {
  config: StagingConfig;
  pool: PoolRuntime;
  runtime: AutoscaleRuntime;
  /** The staging config's zone (its own, else its autoscale config's). */
  zone: string;
  /** Staged sessions currently held. */
  count: number;
  /** Hits, misses, expiry and the resources staged sessions held over time. */
  stats: StagingStats;
}

export interface StagingStats {
  /** Arrivals of the workspace that took a staged session. */
  hits: number;
  /** Arrivals of the workspace that found none (and went on demand). */
  misses: number;
  /** Of `hits`, those handed to a request from another zone (alternate-zone search). */
  alternateZoneHits: number;
  staged: number;
  expired: number;
  /** Removed because the autoscale config went inactive. */
  removed: number;
  /** Integral of staged sessions held (session-ms) up to `sinceMs`. */
  heldSessionMs: number;
  sinceMs: number;
}

/** Staged hits and misses of the requests from one zone. */
export interface ZoneStagingStats {
  hits: number;
  /** Of `hits`, those served by a staged session in an alternate zone. */
  alternateZoneHits: number;
  misses: number;
}

/** What the cloud model drew for one new instance. */
export interface BootDraw {
  bootMs: number;
  failed: boolean;
  checkinDelayMs: number;
}

/** A timed event of the run (arrivals come from the sorted trace instead). */
export type SimEvent =
  | { kind: 'departure'; session: SimSession }
  | { kind: 'boot-end'; instance: SimInstance; failed: boolean; checkinDelayMs: number }
  | { kind: 'checkin'; instance: SimInstance }
  | { kind: 'images-pulled'; instance: SimInstance }
  | { kind: 'give-up'; session: SimSession };

/** Resource comparisons allow this much rounding error. */
export const epsilon = 1e-9;
