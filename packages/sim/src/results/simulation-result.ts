import type { InstanceState, Resources } from '@headroom/core';
import type { GapSplit } from './gap-split.js';

/** Series per resource, one value per timeline bucket. */
export interface ResourceSeries {
  cores: number[];
  memoryMb: number[];
  gpus: number[];
}

/** What a simulation run measured. Times are epoch ms; durations carry their unit. */
export interface SimulationResult {
  label?: string;
  startMs: number;
  endMs: number;
  /** IANA zone used for days (cost per day) and for display. */
  timezone: string;
  cost: number;
  instanceHours: number;
  billedInstanceHours: number;
  peakInstances: number;
  /** Time-weighted mean of instances in any state. */
  meanInstances: number;
  sessions: {
    /** Arrivals seen. */
    total: number;
    /** Placed on an agent (at once or after waiting). */
    served: number;
    /** Placed after waiting more than 0 s. */
    waited: number;
    /** Refused: no capacity and not queued, or gave up waiting. */
    refused: number;
    /** Of `refused`, those that gave up after waiting. */
    gaveUp: number;
    /** Most sessions running at once. */
    peakConcurrent: number;
    /** Wait before placement over served sessions (0 for those placed at once). */
    waitSeconds: { mean: number; p50: number; p95: number; p99: number; max: number };
  };
  /** Hours of running instances holding no session. */
  idleInstanceHours: number;
  /** Hours of running instances of inactive configs still holding sessions (they accept no new ones). */
  strandedInstanceHours: number;
  /** Capacity-hours of running instances (stranded ones included) not reserved by sessions, per resource. */
  unusedCapacityHours: Resources;
  /** Instances created. */
  scaleUps: number;
  /** Instances destroyed by scale-down. */
  scaleDowns: number;
  /** Instances destroyed by scale-down younger than their config's downscale backoff. */
  thrash: number;
  bootFailures: number;
  checkinTimeouts: number;
  oracle?: { cost: number; fluidCost: number; instanceHours: number; peakInstances: number };
  /** `cost / oracle.cost` (≥ 1 when the oracle is a true lower bound); undefined without an oracle or when it is 0. */
  costRatio?: number;
  /** Where `cost − oracle.cost` goes (with an oracle). */
  gap?: GapSplit;
  /**
   * The floor: the same trace, placement and shapes with instant boots, no standby and no
   * downscale backoff (a second run); `policyLoss` = cost / floor, `packingLoss` = floor / oracle.
   */
  floor?: { cost: number; instanceHours: number; p95WaitSeconds: number };
  policyLoss?: number;
  packingLoss?: number;
  /** When set, cost, instance-hours, idle capacity, sessions, the oracle and the floor count only this window. */
  measureWindow?: { fromMs: number; toMs: number };
  timeline: {
    bucketSeconds: number;
    /** Bucket start instants. */
    atMs: number[];
    /** Time-weighted means per bucket. */
    demand: ResourceSeries;
    capacity: ResourceSeries;
    instancesByState: Record<InstanceState, number[]>;
    sessionsRunning: number[];
    sessionsWaiting: number[];
    oracleInstances?: number[];
  };
  waitHistogram: { upperBoundSeconds: number[]; counts: number[] };
  costPerDay: { day: string; dayStartMs: number; cost: number; oracleCost?: number }[];
  /** Per staging config, when the config stages sessions. */
  staging?: StagingResult[];
  /** Capacity that waited on image pulls, when a docker-agent pool has workspaces with a `sizeMb`. */
  imagePulls?: ImagePullResult;
  /** Hits over arrivals of staged workspaces, over every staging config (`stagedHitRate`), when the config stages sessions. */
  stagedHitRate?: number;
  /** Staged hits and misses by the requesting session's zone, when the config stages sessions. */
  stagingZones?: StagingZoneResult[];
}

/**
 * Agents that run and checked in but still pull their pool's workspace images: on the bill, not
 * yet for users (inside the measurement window).
 */
export interface ImagePullResult {
  /** Pulls started (one per agent of a pool with images, at its check-in). */
  pulls: number;
  /** Mean time a finished pull took. */
  meanPullSeconds: number;
  /** Agent-hours spent pulling (running, checked in, taking no sessions). */
  waitingInstanceHours: number;
  /** The same weighted by the agents' cores. */
  waitingCoreHours: number;
  /** What those agent-hours cost at the configs' hourly prices (no billing rounding). */
  waitingCost: number;
  /** Waiting sessions placed on an agent the moment its pull ended (they waited on the pull). */
  sessionsWaited: number;
}

/** Staged hits and misses of the requests from one zone (a request without a zone counts in its staging config's). */
export interface StagingZoneResult {
  zone: string;
  hits: number;
  /** Of `hits`, those served by a staged session of an alternate zone. */
  alternateZoneHits: number;
  misses: number;
  /** `hits / (hits + misses)`. */
  hitRate: number;
}

/** What staging bought and cost in a run. */
export interface StagingResult {
  staging: string;
  workspace: string;
  zone: string;
  desiredSessions: number;
  /** Arrivals of the workspace that took a staged session / found none. */
  hits: number;
  misses: number;
  /** Of `hits`, those handed to requests from another zone (alternate-zone search). */
  alternateZoneHits: number;
  /** `hits / (hits + misses)`; 1 when no session of the workspace arrived. */
  hitRate: number;
  staged: number;
  expired: number;
  removed: number;
  /** Staged sessions held over the run, in session-hours. */
  heldSessionHours: number;
  /**
   * Share of the fleet's cost the staged sessions held: their core-hours (memory-hours for a
   * core-less size) over the capacity's, times the run's cost.
   */
  cost: number;
}

/** One point of a parameter sweep. */
export interface SweepPoint {
  /** Parameter values, e.g. `{ 'standby.cores': 8, downscaleBackoffSeconds: 600 }`. */
  settings: Record<string, string | number | boolean>;
  cost: number;
  p95WaitSeconds: number;
  refused: number;
  /** Staged hit rate over every staging config (`stagedHitRate`); absent when the config stages nothing. */
  hitRate?: number;
}
