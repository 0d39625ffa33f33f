import { MAX_DEMAND_SAMPLES_LISTED } from './demand-samples.js';
import type { DemandSampleRecord } from './state-store.js';

/** The memory store's demand samples: by pool, then instant (a sample at the same instant replaces the old). */
export interface MemoryDemandSamples {
  put(samples: readonly DemandSampleRecord[]): void;
  /** Copies of the samples of `pool` at or after `fromMs`, oldest first, at most `MAX_DEMAND_SAMPLES_LISTED`. */
  list(pool: string, fromMs: number): DemandSampleRecord[];
  /** Deletes samples before `beforeMs`; returns how many. */
  deleteBefore(beforeMs: number): number;
  clear(): void;
}

export function createMemoryDemandSamples(): MemoryDemandSamples {
  const byPool = new Map<string, Map<number, DemandSampleRecord>>();
  return {
    put(samples) {
      for (const sample of samples) {
        let byInstant = byPool.get(sample.pool);
        if (!byInstant) {
          byInstant = new Map();
          byPool.set(sample.pool, byInstant);
        }
        byInstant.set(sample.atMs, { ...sample });
      }
    },
    list(pool, fromMs) {
      const kept = [...(byPool.get(pool)?.values() ?? [])].filter((sample) => sample.atMs >= fromMs);
      kept.sort((left, right) => left.atMs - right.atMs);
      return kept.slice(0, MAX_DEMAND_SAMPLES_LISTED).map((sample) => ({ ...sample }));
    },
    deleteBefore(beforeMs) {
      let deleted = 0;
      for (const byInstant of byPool.values()) {
        for (const atMs of byInstant.keys()) {
          if (atMs >= beforeMs) continue;
          byInstant.delete(atMs);
          deleted += 1;
        }
      }
      return deleted;
    },
    clear() {
      byPool.clear();
    },
  };
}
