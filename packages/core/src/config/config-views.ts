import type { Resources } from '../model/resources.js';
import type {
  AutoscaleConfig,
  DockerAgentAutoscaleConfig,
  HeadroomConfig,
  PoolConfig,
  ServerAutoscaleConfig,
} from './config-schema.js';

/** An autoscale config together with its pool, as the planner and reconciler iterate them. */
export type AutoscaleEntry =
  | { pool: PoolConfig & { kind: 'docker-agent' }; kind: 'docker-agent'; autoscale: DockerAgentAutoscaleConfig }
  | { pool: PoolConfig & { kind: 'server' }; kind: 'server'; autoscale: ServerAutoscaleConfig };

/** Every autoscale config of every pool, in config order. */
export function listAutoscaleEntries(config: HeadroomConfig): AutoscaleEntry[] {
  const entries: AutoscaleEntry[] = [];
  for (const pool of config.pools) {
    if (pool.kind === 'docker-agent') {
      for (const autoscale of pool.autoscale) entries.push({ pool, kind: 'docker-agent', autoscale });
    } else {
      for (const autoscale of pool.autoscale) entries.push({ pool, kind: 'server', autoscale });
    }
  }
  return entries;
}

/** Seconds an instance has to check in, or undefined when check-in is not required. */
export function checkinTimeoutSeconds(autoscale: AutoscaleConfig): number | undefined {
  if (autoscale.checkinTimeoutSeconds !== undefined) return autoscale.checkinTimeoutSeconds;
  return autoscale.requireCheckin ? 900 : undefined;
}

/** Capacity a new instance of this config is counted as (zero for server pools without `agent`). */
export function instanceShape(autoscale: AutoscaleConfig): Resources {
  return autoscale.agent ?? { cores: 0, memoryMb: 0, gpus: 0 };
}
