import {
  type DemandGrowthProfile,
  type DemandSample,
  type FleetSnapshot,
  learnDemandGrowthProfileFromSamples,
  measurePoolDemand,
} from '@headroom/core';

const minuteMs = 60_000;
const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** A config that learns its predictive standby from the demand the simulation observes. */
export interface OnlineLearningConfig {
  /** `autoscaleKey` of the config. */
  key: string;
  pool: string;
  horizonMs: number;
  quantile: number;
  confidenceFloor: number;
  historyDays: number;
}

/** What the service does with `learnFrom: history`, on simulated time. */
export interface OnlineDemandLearner {
  /** Records the pools' demand in `snapshot` (once a simulated minute) and relearns (once a simulated hour). */
  observe(snapshot: FleetSnapshot, atMs: number): void;
  /** The profiles learnt at the last relearn, by `autoscaleKey` (none before the first). */
  profiles(): Readonly<Record<string, DemandGrowthProfile>>;
}

/**
 * Learns predictive standby online, as the service does from its own history: samples
 * `measurePoolDemand` of each learning pool once a simulated minute, and once a simulated hour
 * (on the hour) relearns each config's profile from its pool's samples of the last `historyDays`
 * with `learnDemandGrowthProfileFromSamples`. Samples older than the longest `historyDays` of a
 * pool are dropped. Nothing is predicted before the first relearn.
 */
export function createOnlineDemandLearner(options: { configs: readonly OnlineLearningConfig[] }): OnlineDemandLearner {
  const { configs } = options;
  const samplesByPool = new Map<string, DemandSample[]>(configs.map((config) => [config.pool, []]));
  const keepMsByPool = new Map<string, number>();
  for (const config of configs) {
    keepMsByPool.set(config.pool, Math.max(keepMsByPool.get(config.pool) ?? 0, config.historyDays * dayMs));
  }
  let nextSampleMs = Number.NEGATIVE_INFINITY;
  let nextLearnMs: number | undefined;
  let learnt: Record<string, DemandGrowthProfile> = {};

  const sample = (snapshot: FleetSnapshot, atMs: number) => {
    const demand = measurePoolDemand(snapshot);
    for (const [pool, samples] of samplesByPool) {
      const amount = demand.get(pool) ?? { cores: 0, memoryMb: 0, gpus: 0 };
      samples.push({ atMs, cores: amount.cores, memoryMb: amount.memoryMb, gpus: amount.gpus });
      dropBefore(samples, atMs - keepMsByPool.get(pool)!);
    }
  };

  const relearn = (atMs: number) => {
    const next: Record<string, DemandGrowthProfile> = {};
    for (const config of configs) {
      const sinceMs = atMs - config.historyDays * dayMs;
      next[config.key] = learnDemandGrowthProfileFromSamples({
        samples: samplesByPool.get(config.pool)!.filter((entry) => entry.atMs >= sinceMs),
        horizonMs: config.horizonMs,
        quantile: config.quantile,
        confidenceFloor: config.confidenceFloor,
      });
    }
    learnt = next;
  };

  return {
    observe(snapshot, atMs) {
      if (atMs >= nextSampleMs) {
        sample(snapshot, atMs);
        nextSampleMs = atMs + minuteMs;
      }
      nextLearnMs ??= Math.floor(atMs / hourMs) * hourMs + hourMs;
      if (atMs >= nextLearnMs) {
        relearn(atMs);
        nextLearnMs = Math.floor(atMs / hourMs) * hourMs + hourMs;
      }
    },
    profiles: () => learnt,
  };
}

/** Drops the samples older than `sinceMs` from the front of the sorted `samples`, in place. */
function dropBefore(samples: DemandSample[], sinceMs: number): void {
  let count = 0;
  while (count < samples.length && samples[count]!.atMs < sinceMs) count++;
  if (count > 0) samples.splice(0, count);
}
