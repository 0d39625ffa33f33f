import { RESOURCE_LIMITS } from '../model/resources.js';
import type { DemandSampleRecord } from './state-store.js';

/**
 * Samples `StateStore.listDemandSamples` answers at most: more than 366 days (the largest
 * `historyDays`) of one sample a minute.
 */
export const MAX_DEMAND_SAMPLES_LISTED = 600_000;

/**
 * Largest demand a sample may record: a pool's sum over its sessions, so 1,000 times what one
 * instance may hold (`RESOURCE_LIMITS`); beyond them a value is a mistake.
 */
export const DEMAND_SAMPLE_LIMITS = {
  maxCores: RESOURCE_LIMITS.maxCores * 1000,
  maxMemoryMb: RESOURCE_LIMITS.maxMemoryMb * 1000,
  maxGpus: RESOURCE_LIMITS.maxGpus * 1000,
} as const;

/** Latest instant a sample may carry (the largest `Date`). */
const MAX_INSTANT_MS = 8.64e15;
const MAX_POOL_LENGTH = 200;

/**
 * Checks samples before a store writes them: `pool` a non-empty string of at most 200
 * characters, `atMs` a non-negative integer instant, `cores`, `memoryMb` and `gpus` finite,
 * non-negative and within `DEMAND_SAMPLE_LIMITS`.
 * @throws RangeError naming the sample and field (`samples[3].memoryMb: must be ≥ 0, got -1`).
 */
export function assertDemandSamples(samples: readonly DemandSampleRecord[]): void {
  samples.forEach((sample, index) => {
    const problem = demandSampleProblem(sample);
    if (problem) throw new RangeError(`[headroom] demand sample samples[${index}].${problem}`);
  });
}

function demandSampleProblem(sample: DemandSampleRecord): string | undefined {
  if (typeof sample.pool !== 'string' || sample.pool.length === 0 || sample.pool.length > MAX_POOL_LENGTH)
    return `pool: must be a non-empty string of at most ${MAX_POOL_LENGTH} characters`;
  if (!Number.isInteger(sample.atMs) || sample.atMs < 0 || sample.atMs > MAX_INSTANT_MS)
    return `atMs: must be an integer instant between 0 and ${MAX_INSTANT_MS}, got ${String(sample.atMs)}`;
  const limits = [
    ['cores', DEMAND_SAMPLE_LIMITS.maxCores],
    ['memoryMb', DEMAND_SAMPLE_LIMITS.maxMemoryMb],
    ['gpus', DEMAND_SAMPLE_LIMITS.maxGpus],
  ] as const;
  for (const [field, maximum] of limits) {
    const value = sample[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) return `${field}: must be a finite number`;
    if (value < 0) return `${field}: must be ≥ 0, got ${value}`;
    if (value > maximum) return `${field}: must be ≤ ${maximum}, got ${value}`;
  }
  return undefined;
}
