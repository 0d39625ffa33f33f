import type { HeadroomConfig } from '@headroom/core';
import { type SessionTrace, type SimulationRun, simulate } from '@headroom/sim';
import type { SimulationJob } from './sweep-messages.js';

/** The cheapest static standby (whole agents) that waits no longer than a predictive run. */
export interface StaticComparison {
  /** What the static runs had to match: the predictive run's p95 wait and refused requests. */
  target: { p95WaitSeconds: number; refused: number };
  predictive: { cost: number; p95WaitSeconds: number; refused: number };
  /** Undefined when no static standby up to `searchedAgents` agents matched. */
  static:
    | {
        /** Standby of every predictive config, in its own agents (its static standby stays the floor). */
        agents: number;
        cost: number;
        p95WaitSeconds: number;
        refused: number;
        /** Predictive cost ÷ static cost. */
        costRatio: number;
      }
    | undefined;
  /** Largest standby tried, in agents. */
  searchedAgents: number;
  /** Static runs made (doubling, then bisection). */
  runs: number;
}

/** Whether a config has a docker-agent autoscale config with `predictiveStandby`. */
export function hasPredictiveStandby(config: HeadroomConfig): boolean {
  return config.pools.some((pool) =>
    pool.autoscale.some((autoscale) => 'predictiveStandby' in autoscale && autoscale.predictiveStandby),
  );
}

/**
 * The config with predictive standby replaced by a static standby of `agents` whole agents per
 * predictive config (never below the config's own static standby; slots unchanged).
 */
export function staticVariant(config: HeadroomConfig, agents: number): HeadroomConfig {
  const variant = structuredClone(config);
  for (const pool of variant.pools) {
    if (pool.kind !== 'docker-agent') continue;
    for (const autoscale of pool.autoscale) {
      if (!autoscale.predictiveStandby) continue;
      delete autoscale.predictiveStandby;
      autoscale.standby = {
        ...autoscale.standby,
        cores: Math.max(autoscale.standby.cores, agents * autoscale.agent.cores),
        memoryMb: Math.max(autoscale.standby.memoryMb, agents * autoscale.agent.memoryMb),
        gpus: Math.max(autoscale.standby.gpus, agents * autoscale.agent.gpus),
      };
    }
  }
  return variant;
}

/**
 * Finds the smallest static standby, in whole agents, whose run waits no longer (p95) and refuses
 * no more than the predictive run: doubling from 1 agent up to `maxAgents`, then bisection (the
 * p95 wait falls as standby grows; a non-monotone trace can make the answer slightly large, never
 * one that misses the target). Runs without the floor.
 */
export async function compareWithStatic(options: {
  job: SimulationJob;
  trace: SessionTrace;
  predictive: SimulationRun;
  maxAgents?: number;
  onProgress?: (runs: number) => void;
}): Promise<StaticComparison> {
  const { job, trace, predictive } = options;
  const maxAgents = Math.max(1, options.maxAgents ?? 512);
  const target = {
    p95WaitSeconds: predictive.result.sessions.waitSeconds.p95,
    refused: predictive.result.sessions.refused,
  };
  let runs = 0;
  const tried = new Map<number, SimulationRun>();
  const attempt = async (agents: number) => {
    const run = await simulate({ ...job, config: staticVariant(job.config, agents), trace, floor: false });
    runs += 1;
    options.onProgress?.(runs);
    tried.set(agents, run);
    const { sessions } = run.result;
    return sessions.waitSeconds.p95 <= target.p95WaitSeconds && sessions.refused <= target.refused;
  };
  let low = 0;
  let high: number | undefined;
  for (let agents = 1; agents <= maxAgents; agents = Math.min(maxAgents, agents * 2)) {
    if (await attempt(agents)) {
      high = agents;
      break;
    }
    low = agents;
    if (agents === maxAgents) break;
  }
  if (high !== undefined) {
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await attempt(middle)) high = middle;
      else low = middle;
    }
  }
  return describeComparison({ target, predictive, best: high, tried, searchedAgents: maxAgents, runs });
}

function describeComparison(options: {
  target: StaticComparison['target'];
  predictive: SimulationRun;
  best: number | undefined;
  tried: ReadonlyMap<number, SimulationRun>;
  searchedAgents: number;
  runs: number;
}): StaticComparison {
  const { result } = options.predictive;
  const bestRun = options.best === undefined ? undefined : options.tried.get(options.best)!;
  return {
    target: options.target,
    predictive: {
      cost: result.cost,
      p95WaitSeconds: result.sessions.waitSeconds.p95,
      refused: result.sessions.refused,
    },
    static:
      bestRun === undefined
        ? undefined
        : {
            agents: options.best!,
            cost: bestRun.result.cost,
            p95WaitSeconds: bestRun.result.sessions.waitSeconds.p95,
            refused: bestRun.result.sessions.refused,
            costRatio: bestRun.result.cost > 0 ? result.cost / bestRun.result.cost : 1,
          },
    searchedAgents: options.searchedAgents,
    runs: options.runs,
  };
}

/** Summary lines of a comparison. */
export function formatStaticComparison(comparison: StaticComparison, currency: string): string {
  const money = (value: number) => `${value.toFixed(2)} ${currency}`;
  const { predictive, target } = comparison;
  const head = `predictive standby: cost ${money(predictive.cost)}, p95 wait ${predictive.p95WaitSeconds.toFixed(0)} s, ${predictive.refused} refused`;
  if (!comparison.static) {
    return `${head}\n  no static standby up to ${comparison.searchedAgents} agent(s) per config waits as little (p95 ≤ ${target.p95WaitSeconds.toFixed(0)} s, refused ≤ ${target.refused}; ${comparison.runs} runs)\n`;
  }
  const best = comparison.static;
  const saving = (1 - best.costRatio) * 100;
  return `${head}\n  best static standby with p95 wait ≤ ${target.p95WaitSeconds.toFixed(0)} s and refused ≤ ${target.refused}: ${best.agents} agent(s) per config, cost ${money(best.cost)}, p95 wait ${best.p95WaitSeconds.toFixed(0)} s (${comparison.runs} runs)\n  predictive costs ${best.costRatio.toFixed(3)}× that static setting (${saving >= 0 ? `saves ${saving.toFixed(1)} %` : `costs ${(-saving).toFixed(1)} % more`})\n`;
}

/** The comparison as one report row. */
export function staticComparisonNote(comparison: StaticComparison, currency: string): { name: string; text: string } {
  const text = formatStaticComparison(comparison, currency)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join('; ');
  return { name: 'Predictive against static standby', text };
}
