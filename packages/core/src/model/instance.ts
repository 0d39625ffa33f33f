import type { Resources } from './resources.js';

/** Lifecycle of a managed instance as the control plane or the reconciler sees it. */
export type InstanceState = 'requested' | 'creating' | 'starting' | 'running' | 'draining' | 'destroying' | 'failed';

export const INSTANCE_STATES: readonly InstanceState[] = [
  'requested',
  'creating',
  'starting',
  'running',
  'draining',
  'destroying',
  'failed',
];

/** A session placed on an instance. `staged` sessions are pre-provisioned and not yet assigned to a user. */
export interface Session {
  id: string;
  user?: string;
  workspace?: string;
  cores: number;
  memoryMb: number;
  gpus: number;
  staged: boolean;
  /** ISO-8601 instant the session was created (staged sessions expire by it). */
  createdAt?: string;
  /** Deployment zone; defaults to its instance's zone. */
  zone?: string;
  /** Id of the staging config a staged session was created for. */
  stagingConfig?: string;
}

/**
 * `autoscale` of a static member: a server of the pool that Headroom did not create (the snapshot
 * leaves `autoscale` out). It counts toward the pool's free sessions and is never destroyed.
 */
export const STATIC_MEMBER = '';

/** A workspace image an agent reports having (or pulling). */
export interface AgentImage {
  /** Image name as the agent pulled it (`kasmweb/chrome:1.16.0`). */
  reference: string;
  /** Digest of what the agent has, when it knows it. */
  digest?: string;
  /** ISO-8601 instant of the last completed pull. */
  pulledAt?: string;
  /** `pulling` while a pull runs. Default `present`. */
  state?: 'present' | 'pulling';
}

/** One instance of the fleet (an agent or a server), as reported in a snapshot. */
export interface Instance {
  id: string;
  pool: string;
  /** Autoscale config id; `STATIC_MEMBER` for a server Headroom did not create. */
  autoscale: string;
  /** Provider config id (`''` for a static member outside Headroom's providers). */
  provider: string;
  state: InstanceState;
  checkedIn: boolean;
  /** ISO-8601 instant. */
  createdAt: string;
  capacity: Resources;
  sessions: Session[];
  /** Address once known (IPv4/IPv6 or hostname). */
  address?: string;
  /** Deployment zone; defaults to its autoscale config's zone. */
  zone?: string;
  /** Workspace images on a docker agent; absent when the control plane does not report images. */
  images?: AgentImage[];
  /**
   * A session on this server has ended since it was created (reported by the control plane). A
   * server of a config with `reusable: false` then takes no new sessions and is destroyed once empty.
   */
  sessionEnded?: boolean;
  /**
   * Set by the reconciler (never read from a snapshot) when an operator drained the instance: it
   * is `draining`, and the planner never undrains it.
   */
  drainedByOperator?: boolean;
}

/** A session request that found no capacity and waits. */
export interface QueuedRequest {
  pool: string;
  cores: number;
  memoryMb: number;
  gpus: number;
  /** ISO-8601 instant. */
  since: string;
  workspace?: string;
  user?: string;
  /** Deployment zone the request was made in. */
  zone?: string;
}

/** What the engine is told about the fleet on every tick (DESIGN §4). */
export interface FleetSnapshot {
  /** ISO-8601 instant the snapshot describes. */
  at: string;
  instances: Instance[];
  queued: QueuedRequest[];
}
