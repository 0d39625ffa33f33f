import { instanceShape } from '@headroom/core';
import { combineOracles, computeOracle, type OracleResult } from '../results/compute-oracle.js';
import type { TraceSession } from '../trace/trace-session.js';
import type { PoolRuntime } from './simulation-types.js';

/** Groups sessions that start by `endMs` by pool (sessions are sorted by start). */
function sessionsByPool(options: {
  sessions: readonly TraceSession[];
  defaultPool: string;
  endMs: number;
}): Map<string, TraceSession[]> {
  const byPool = new Map<string, TraceSession[]>();
  for (const session of options.sessions) {
    if (session.startMs > options.endMs) break;
    const pool = session.pool ?? options.defaultPool;
    let list = byPool.get(pool);
    if (!list) {
      list = [];
      byPool.set(pool, list);
    }
    list.push(session);
  }
  return byPool;
}

/**
 * The oracle lower bound of every pool (with the first enabled autoscale config's shape, billing
 * and price; server pools count sessions), combined; undefined when no session ran in a pool.
 */
export function computePoolOracles(options: {
  pools: Map<string, PoolRuntime>;
  sessions: readonly TraceSession[];
  defaultPool: string;
  endMs: number;
}): OracleResult | undefined {
  const oracles: OracleResult[] = [];
  for (const [poolId, poolSessions] of sessionsByPool(options)) {
    const pool = options.pools.get(poolId);
    const runtime = pool?.autoscale.find((candidate) => candidate.entry.autoscale.enabled) ?? pool?.autoscale[0];
    if (!pool || !runtime) continue;
    if (pool.kind === 'server') {
      const autoscale = runtime.entry.autoscale as { maxSessionsPerServer: number; maxUsersPerServer: number };
      oracles.push(
        computeOracle({
          sessions: poolSessions.map((session) => ({
            startMs: session.startMs,
            durationMs: session.durationMs,
            cores: 1,
            memoryMb: 0,
            gpus: 0,
          })),
          agent: { cores: Math.min(autoscale.maxSessionsPerServer, autoscale.maxUsersPerServer), memoryMb: 0, gpus: 0 },
          billing: runtime.model.billing,
          pricePerInstanceHour: runtime.pricePerInstanceHour,
        }),
      );
    } else {
      oracles.push(
        computeOracle({
          sessions: poolSessions,
          agent: instanceShape(runtime.entry.autoscale),
          billing: runtime.model.billing,
          pricePerInstanceHour: runtime.pricePerInstanceHour,
        }),
      );
    }
  }
  return oracles.length > 0 ? combineOracles(oracles) : undefined;
}
