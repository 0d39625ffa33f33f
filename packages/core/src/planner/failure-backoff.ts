import { type AutoscaleState, autoscaleKey, initialAutoscaleState, type PlannerState } from './planner-state.js';

/** First create backoff after a failure. */
export const FAILURE_BACKOFF_INITIAL_SECONDS = 30;
/** Upper bound of the create backoff. */
export const FAILURE_BACKOFF_MAX_SECONDS = 900;

/** Backoff after `consecutiveFailures` failures: 30 s doubling, capped at 15 min; 0 when none. */
export function failureBackoffSeconds(consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.min(FAILURE_BACKOFF_INITIAL_SECONDS * 2 ** (consecutiveFailures - 1), FAILURE_BACKOFF_MAX_SECONDS);
}

/** The state after one more failure at `atMs`. */
export function withFailure(state: AutoscaleState, atMs: number): AutoscaleState {
  const consecutiveFailures = state.consecutiveFailures + 1;
  return {
    ...state,
    consecutiveFailures,
    lastFailureAt: new Date(atMs).toISOString(),
    createBlockedUntil: new Date(atMs + failureBackoffSeconds(consecutiveFailures) * 1000).toISOString(),
  };
}

/**
 * Records a failed create (the provider refused or the instance failed) for an autoscale config,
 * returning the new planner state. Used by the reconciler; the planner records check-in timeouts itself.
 */
export function recordCreateFailure(
  state: PlannerState,
  options: { pool: string; autoscale: string; atMs: number },
): PlannerState {
  const key = autoscaleKey(options.pool, options.autoscale);
  const current = state.autoscale[key] ?? initialAutoscaleState();
  return { ...state, autoscale: { ...state.autoscale, [key]: withFailure(current, options.atMs) } };
}
