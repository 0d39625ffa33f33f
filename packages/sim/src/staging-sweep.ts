import { ConfigError, type HeadroomConfig } from '@headroom/core';
import type { SimulationRun } from './engine/simulate.js';

/** One `desiredSessions` setting of a staging sweep and what it measured. */
export interface StagingSweepPoint {
  desiredSessions: number;
  hitRate: number;
  /** The whole run's cost. */
  cost: number;
  /** The share of `cost` the staged sessions held. */
  stagingCost: number;
}

/**
 * Runs `run` once per `desiredSessions` value of staging config `staging` and recommends the
 * cheapest setting (by run cost, ties to fewer sessions) whose staged-session hit rate is at least
 * `targetHitRate`; none when no value reaches it.
 * @throws ConfigError (rejects) when `staging` names no staging config or the values are unusable
 */
export async function sweepStagingDesiredSessions(options: {
  config: HeadroomConfig;
  staging: string;
  values: readonly number[];
  targetHitRate: number;
  run: (config: HeadroomConfig) => Promise<SimulationRun>;
}): Promise<{ points: StagingSweepPoint[]; recommended: StagingSweepPoint | undefined }> {
  const { config, staging, values, targetHitRate } = options;
  const index = config.staging.findIndex((entry) => entry.id === staging);
  if (index < 0) throw new ConfigError({ issues: [{ path: 'staging', message: `no staging config "${staging}"` }] });
  if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < 0 || value > 10000))
    throw new ConfigError({ issues: [{ path: 'desiredSessions', message: 'values must be whole numbers 0–10000' }] });
  if (!(targetHitRate >= 0 && targetHitRate <= 1))
    throw new ConfigError({ issues: [{ path: 'targetHitRate', message: 'must be between 0 and 1' }] });
  const points: StagingSweepPoint[] = [];
  for (const desiredSessions of values) {
    const swept = structuredClone(config);
    swept.staging[index] = { ...swept.staging[index]!, desiredSessions };
    const { result } = await options.run(swept);
    const measured = result.staging?.find((entry) => entry.staging === staging);
    points.push({
      desiredSessions,
      hitRate: measured?.hitRate ?? 0,
      cost: result.cost,
      stagingCost: measured?.cost ?? 0,
    });
  }
  const recommended = points
    .filter((point) => point.hitRate >= targetHitRate)
    .sort((a, b) => a.cost - b.cost || a.desiredSessions - b.desiredSessions)[0];
  return { points, recommended };
}
