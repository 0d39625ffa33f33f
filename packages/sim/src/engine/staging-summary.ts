import type { SimulationResult, StagingResult, StagingZoneResult } from '../results/simulation-result.js';
import type { StagingRuntime, ZoneStagingStats } from './simulation-types.js';
import { settleHeld } from './staging-stats.js';

/** Capacity-hours of one resource over the run, from the timeline's per-bucket means. */
function capacityHours(series: number[], bucketSeconds: number): number {
  return series.reduce((sum, value) => sum + value, 0) * (bucketSeconds / 3600);
}

/** Hit rate, expiry and the cost share of each staging config at the end of a run. */
export function summariseStaging(options: {
  stagings: StagingRuntime[];
  result: SimulationResult;
  endMs: number;
}): StagingResult[] {
  const { result } = options;
  const { bucketSeconds, capacity } = result.timeline;
  const coreHours = capacityHours(capacity.cores, bucketSeconds);
  const memoryMbHours = capacityHours(capacity.memoryMb, bucketSeconds);
  return options.stagings.map((staging) => {
    settleHeld(staging, options.endMs);
    const { stats, config } = staging;
    const heldSessionHours = stats.heldSessionMs / 3_600_000;
    const share =
      config.session.cores > 0
        ? coreHours > 0
          ? (heldSessionHours * config.session.cores) / coreHours
          : 0
        : memoryMbHours > 0
          ? (heldSessionHours * config.session.memoryMb) / memoryMbHours
          : 0;
    const arrivals = stats.hits + stats.misses;
    return {
      staging: config.id,
      workspace: config.workspace,
      zone: config.zone ?? staging.runtime.entry.autoscale.zone,
      desiredSessions: config.desiredSessions,
      hits: stats.hits,
      misses: stats.misses,
      alternateZoneHits: stats.alternateZoneHits,
      hitRate: arrivals > 0 ? stats.hits / arrivals : 1,
      staged: stats.staged,
      expired: stats.expired,
      removed: stats.removed,
      heldSessionHours,
      cost: Math.min(1, share) * result.cost,
    };
  });
}

/** Staged hits and misses per requesting zone, zones in name order (only zones that saw a request). */
export function summariseStagingZones(byZone: ReadonlyMap<string, ZoneStagingStats>): StagingZoneResult[] {
  return [...byZone.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([zone, stats]) => ({
      zone,
      hits: stats.hits,
      alternateZoneHits: stats.alternateZoneHits,
      misses: stats.misses,
      hitRate: stats.hits + stats.misses > 0 ? stats.hits / (stats.hits + stats.misses) : 1,
    }));
}
