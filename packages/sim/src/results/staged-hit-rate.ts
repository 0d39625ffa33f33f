import type { SimulationResult } from './simulation-result.js';

/**
 * The run's staged hit rate over every staging config: all hits over all arrivals of staged
 * workspaces (1 when none arrived); undefined when the run staged nothing.
 */
export function stagedHitRate(result: Pick<SimulationResult, 'staging'>): number | undefined {
  const staging = result.staging ?? [];
  if (staging.length === 0) return undefined;
  const hits = staging.reduce((sum, entry) => sum + entry.hits, 0);
  const arrivals = hits + staging.reduce((sum, entry) => sum + entry.misses, 0);
  return arrivals > 0 ? hits / arrivals : 1;
}
