import type { ConfigIssue, HeadroomConfig } from '@headroom/core';

/**
 * `headroom run` learns predictive standby from its own history only: a docker-agent config with
 * `predictiveStandby.learnFrom: trace` (the default, for `headroom simulate`) is an issue at its path.
 */
export function traceLearningIssues(config: HeadroomConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.pools.forEach((pool, poolIndex) => {
    if (pool.kind !== 'docker-agent') return;
    pool.autoscale.forEach((autoscale, autoscaleIndex) => {
      if (autoscale.predictiveStandby?.learnFrom !== 'trace') return;
      issues.push({
        path: `pools[${poolIndex}].autoscale[${autoscaleIndex}].predictiveStandby.learnFrom`,
        message: '"trace" is learnt by headroom simulate from a replayed trace; headroom run learns from "history"',
      });
    });
  });
  return issues;
}
