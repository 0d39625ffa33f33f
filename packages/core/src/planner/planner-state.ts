/** Per autoscale config memory the planner carries from one tick to the next. */
export interface AutoscaleState {
  /** ISO instant since which a removable surplus has lasted without interruption; null when there is none. */
  surplusSince: string | null;
  /** Consecutive failures (check-in timeouts, failed creates), reset on the first success. */
  consecutiveFailures: number;
  /** ISO instant of the last failure, null when none. */
  lastFailureAt: string | null;
  /** No creates before this ISO instant (exponential failure backoff); null when not blocked. */
  createBlockedUntil: string | null;
}

/** A staging request the planner made and has not yet seen answered in a snapshot. */
export type StagingRequest =
  | { kind: 'stage'; instanceId: string; count: number; requestedAt: string }
  | { kind: 'destroy'; instanceId: string; sessionId: string; requestedAt: string };

/** Per staging config memory: requests in flight, so a repeated step asks for nothing new. */
export interface StagingState {
  inFlight: StagingRequest[];
}

/** Planner state, keyed by `autoscaleKey(pool, autoscale)` (and staging config id). JSON-serialisable. */
export interface PlannerState {
  autoscale: Record<string, AutoscaleState>;
  staging?: Record<string, StagingState>;
  /**
   * Digest pinned per workspace id (the last `imagePins` the host passed), kept so the pins are as
   * durable as the planner state; absent when nothing is pinned.
   */
  imagePins?: Record<string, string>;
}

/** Key of an autoscale config in state and ledgers: `pool/autoscale`. */
export function autoscaleKey(pool: string, autoscale: string): string {
  return `${pool}/${autoscale}`;
}

export function emptyPlannerState(): PlannerState {
  return { autoscale: {} };
}

export function initialAutoscaleState(): AutoscaleState {
  return { surplusSince: null, consecutiveFailures: 0, lastFailureAt: null, createBlockedUntil: null };
}
