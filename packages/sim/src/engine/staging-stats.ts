import type { StagingRuntime, StagingStats } from './simulation-types.js';

export const emptyStagingStats = (atMs: number): StagingStats => ({
  hits: 0,
  misses: 0,
  alternateZoneHits: 0,
  staged: 0,
  expired: 0,
  removed: 0,
  heldSessionMs: 0,
  sinceMs: atMs,
});

/** Adds the sessions held since the last change to the integral; call before `count` changes. */
export function settleHeld(staging: StagingRuntime, atMs: number): void {
  const { stats } = staging;
  if (atMs > stats.sinceMs) {
    stats.heldSessionMs += staging.count * (atMs - stats.sinceMs);
    stats.sinceMs = atMs;
  }
}
