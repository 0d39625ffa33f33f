import { bernoulli, type Random, standardNormal, uniform } from './random.js';

/** How long an instance takes from the create call until it runs. */
export type BootTimeDistribution =
  | { kind: 'fixed'; seconds: number }
  | { kind: 'uniform'; minimumSeconds: number; maximumSeconds: number }
  /** Log-normal fitted to a median and a 95th percentile (p95 ≥ median). */
  | { kind: 'log-normal'; medianSeconds: number; p95Seconds: number };

/** Billing of one instance: its billed time is `max(minimumSeconds, ceil(t / incrementSeconds) × incrementSeconds)`. */
export interface BillingModel {
  incrementSeconds: number;
  minimumSeconds: number;
  /** When true the boot time is billed (billing starts at the create call); else at running. */
  bootTimeBilled: boolean;
}

/** Per second with a 60 s minimum (AWS, Azure, GCP Linux). */
export const BILLING_PER_SECOND: BillingModel = { incrementSeconds: 1, minimumSeconds: 60, bootTimeBilled: true };
/** Per started minute. */
export const BILLING_PER_MINUTE: BillingModel = { incrementSeconds: 60, minimumSeconds: 60, bootTimeBilled: true };
/** Per started hour. */
export const BILLING_PER_HOUR: BillingModel = { incrementSeconds: 3600, minimumSeconds: 3600, bootTimeBilled: true };

/** The simulated behaviour of one provider. */
export interface ProviderCloudModel {
  bootTime: BootTimeDistribution;
  /** Probability in [0, 1] that a boot fails (the instance never runs; it is billed until destroyed). */
  bootFailureProbability: number;
  /** Delay between running and the agent's check-in. */
  checkinDelay: BootTimeDistribution;
  billing: BillingModel;
  /**
   * MB per second an agent pulls workspace images at, once it checked in (> 0; `Infinity` pulls
   * at once). Defaults to {@link DEFAULT_PULL_BANDWIDTH_MB_PER_SECOND}.
   */
  pullBandwidthMbPerSecond?: number;
}

/** 100 MB/s (≈ 800 Mbit/s): a cloud VM pulling from a registry in its region. */
export const DEFAULT_PULL_BANDWIDTH_MB_PER_SECOND = 100;

/** The cloud the simulator runs against. */
export interface CloudModel {
  /** Used for providers not listed in `providers`. */
  defaults: ProviderCloudModel;
  /** By provider config id; missing fields fall back to `defaults`. */
  providers?: Record<string, Partial<ProviderCloudModel>>;
  /** Price per instance-hour by autoscale config id. */
  pricePerInstanceHour?: Record<string, number>;
  /** Price for autoscale configs not listed. Defaults to 0. */
  defaultPricePerInstanceHour?: number;
}

/**
 * A cloud model resembling a public cloud: ~45 s median boot (p95 120 s), 1 % boot failures, 15 s
 * check-in, per-second billing, images pulled at 100 MB/s.
 */
export const DEFAULT_CLOUD_MODEL: CloudModel = {
  defaults: {
    bootTime: { kind: 'log-normal', medianSeconds: 45, p95Seconds: 120 },
    bootFailureProbability: 0.01,
    checkinDelay: { kind: 'fixed', seconds: 15 },
    billing: BILLING_PER_SECOND,
    pullBandwidthMbPerSecond: DEFAULT_PULL_BANDWIDTH_MB_PER_SECOND,
  },
};

const z95 = 1.6448536269514722;

/** The model of one provider config, with defaults filled in. */
export function providerCloudModel(options: { cloud: CloudModel; providerId: string }): ProviderCloudModel {
  return { ...options.cloud.defaults, ...options.cloud.providers?.[options.providerId] };
}

/** The price per instance-hour of an autoscale config. */
export function pricePerInstanceHour(options: { cloud: CloudModel; autoscaleId: string }): number {
  return options.cloud.pricePerInstanceHour?.[options.autoscaleId] ?? options.cloud.defaultPricePerInstanceHour ?? 0;
}

/** Draws one duration in seconds (never negative). */
export function sampleSeconds(options: { distribution: BootTimeDistribution; random: Random }): number {
  const { distribution, random } = options;
  switch (distribution.kind) {
    case 'fixed':
      return Math.max(0, distribution.seconds);
    case 'uniform':
      return Math.max(0, uniform(random, distribution.minimumSeconds, distribution.maximumSeconds));
    case 'log-normal': {
      const mu = Math.log(distribution.medianSeconds);
      const sigma = Math.max(0, (Math.log(distribution.p95Seconds) - mu) / z95);
      return Math.exp(mu + sigma * standardNormal(random));
    }
  }
}

/** Milliseconds an agent of `model` takes to pull `sizeMb` of images (0 when instant). */
export function pullMilliseconds(options: { sizeMb: number; model: ProviderCloudModel }): number {
  const bandwidth = options.model.pullBandwidthMbPerSecond ?? DEFAULT_PULL_BANDWIDTH_MB_PER_SECOND;
  if (options.sizeMb <= 0 || bandwidth === Number.POSITIVE_INFINITY) return 0;
  return Math.round((options.sizeMb / bandwidth) * 1000);
}

/** Draws whether a boot fails. */
export function sampleBootFailure(options: { model: ProviderCloudModel; random: Random }): boolean {
  return bernoulli(options.random, options.model.bootFailureProbability);
}

/** Billed seconds for an instance billed for `seconds` of use under `billing` (0 s of use still pays the minimum). */
export function billedSeconds(options: { seconds: number; billing: BillingModel }): number {
  const { seconds, billing } = options;
  const increment = Math.max(billing.incrementSeconds, Number.MIN_VALUE);
  const rounded = Math.ceil(seconds / increment - 1e-9) * increment;
  return Math.max(billing.minimumSeconds, rounded);
}

/**
 * Cost of one instance created at `createdAtMs`, running from `runningAtMs` (undefined if it never
 * ran) until `destroyedAtMs`: the billed time (from creation when boot time is billed, else from
 * running) times the hourly price.
 */
export function instanceCost(options: {
  createdAtMs: number;
  runningAtMs?: number;
  destroyedAtMs: number;
  billing: BillingModel;
  pricePerInstanceHour: number;
}): { billedSeconds: number; cost: number } {
  const startMs = options.billing.bootTimeBilled ? options.createdAtMs : options.runningAtMs;
  if (startMs === undefined || startMs > options.destroyedAtMs) return { billedSeconds: 0, cost: 0 };
  const seconds = billedSeconds({ seconds: (options.destroyedAtMs - startMs) / 1000, billing: options.billing });
  return { billedSeconds: seconds, cost: (seconds / 3600) * options.pricePerInstanceHour };
}
