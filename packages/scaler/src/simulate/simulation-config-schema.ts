import {
  ConfigError,
  type ConfigIssue,
  formatConfigPath,
  type HeadroomConfig,
  listAutoscaleEntries,
} from '@headroom/core';
import {
  BILLING_PER_HOUR,
  BILLING_PER_MINUTE,
  BILLING_PER_SECOND,
  type BillingModel,
  type BootTimeDistribution,
  type CloudModel,
  DEFAULT_CLOUD_MODEL,
  type ProviderCloudModel,
} from '@headroom/sim';
import { z } from 'zod';

const nonNegative = () => z.number({ error: 'must be a number' }).min(0, { error: 'must be ≥ 0' });
const positive = () => z.number({ error: 'must be a number' }).gt(0, { error: 'must be > 0' });

/** A duration distribution: a number of seconds (fixed) or `{ kind: fixed | uniform | log-normal, … }`. */
export const durationDistributionSchema = z.union(
  [
    nonNegative().transform((seconds): BootTimeDistribution => ({ kind: 'fixed', seconds })),
    z.strictObject({ kind: z.literal('fixed'), seconds: nonNegative() }),
    z
      .strictObject({ kind: z.literal('uniform'), minimumSeconds: nonNegative(), maximumSeconds: nonNegative() })
      .refine((value) => value.maximumSeconds >= value.minimumSeconds, {
        error: 'maximumSeconds must be ≥ minimumSeconds',
        path: ['maximumSeconds'],
      }),
    z
      .strictObject({ kind: z.literal('log-normal'), medianSeconds: positive(), p95Seconds: positive() })
      .refine((value) => value.p95Seconds >= value.medianSeconds, {
        error: 'p95Seconds must be ≥ medianSeconds',
        path: ['p95Seconds'],
      }),
  ],
  {
    error:
      'must be seconds, { kind: fixed, seconds }, { kind: uniform, minimumSeconds, maximumSeconds } or { kind: log-normal, medianSeconds, p95Seconds }',
  },
);

const billingPresets = {
  'per-second': BILLING_PER_SECOND,
  'per-minute': BILLING_PER_MINUTE,
  'per-hour': BILLING_PER_HOUR,
};
const billingPresetSchema = z.enum(['per-second', 'per-minute', 'per-hour'], {
  error: 'must be per-second, per-minute or per-hour',
});

/**
 * Billing: a preset name (`per-second` with a 60 s minimum, `per-minute`, `per-hour`) or an object
 * that starts from a preset (default `per-second`) and overrides `incrementSeconds`,
 * `minimumSeconds` or `bootTimeBilled`.
 */
export const billingSchema = z.union(
  [
    billingPresetSchema.transform((preset): BillingModel => ({ ...billingPresets[preset] })),
    z
      .strictObject({
        preset: billingPresetSchema.optional(),
        incrementSeconds: positive().optional(),
        minimumSeconds: nonNegative().optional(),
        bootTimeBilled: z.boolean({ error: 'must be true or false' }).optional(),
      })
      .transform(
        (value): BillingModel => ({
          ...billingPresets[value.preset ?? 'per-second'],
          ...(value.incrementSeconds !== undefined ? { incrementSeconds: value.incrementSeconds } : {}),
          ...(value.minimumSeconds !== undefined ? { minimumSeconds: value.minimumSeconds } : {}),
          ...(value.bootTimeBilled !== undefined ? { bootTimeBilled: value.bootTimeBilled } : {}),
        }),
      ),
  ],
  { error: 'must be per-second, per-minute, per-hour or { preset, incrementSeconds, minimumSeconds, bootTimeBilled }' },
);

/** The simulated behaviour of one provider config; every field is optional (falls back to `defaults`). */
export const providerSimulationSchema = z.strictObject({
  bootTime: durationDistributionSchema.optional(),
  bootFailureProbability: nonNegative().max(1, { error: 'must be ≤ 1' }).optional(),
  checkinDelay: durationDistributionSchema.optional(),
  billing: billingSchema.optional(),
  /** MB per second an agent pulls workspace images at (their `sizeMb`); default 100. */
  pullBandwidthMbPerSecond: positive().max(1_000_000, { error: 'must be ≤ 1000000' }).optional(),
});

/** The `simulation:` section of the config: the cloud model and the engine's settings. */
export const simulationSectionSchema = z.strictObject({
  /** Used for provider configs not listed in `providers`; unset fields take the built-in defaults. */
  defaults: providerSimulationSchema.optional(),
  /** By provider config id. */
  providers: z.record(z.string(), providerSimulationSchema).default({}),
  /** Price per instance-hour: one number for every autoscale config, or by autoscale config id. */
  pricePerInstanceHour: z.union([nonNegative(), z.record(z.string(), nonNegative())]).optional(),
  /** Price of autoscale configs missing from a `pricePerInstanceHour` record. */
  defaultPricePerInstanceHour: nonNegative().optional(),
  currency: z.string().min(1).default('USD'),
  placement: z.enum(['spread', 'pack'], { error: 'must be spread or pack' }).default('spread'),
  giveUpSeconds: positive().default(600),
  tickSeconds: positive().default(30),
  seed: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).default(1),
  /**
   * Zones for trace sessions without a `zone` column value, by relative weight
   * (`{ east: 3, west: 1 }`), drawn deterministically from `seed`.
   */
  arrivalZones: z
    .record(z.string(), nonNegative())
    .refine((weights) => Object.values(weights).some((weight) => weight > 0), {
      error: 'needs a zone with a weight above 0',
    })
    .optional(),
  /** `reconciler` runs the production reconciler; `planner` applies the plans directly (same results, faster). */
  engine: z.enum(['reconciler', 'planner'], { error: 'must be reconciler or planner' }).default('reconciler'),
});

/** Engine settings and cloud model read from the config's `simulation:` section. */
export interface SimulationSettings {
  cloud: CloudModel;
  currency: string;
  placement: 'spread' | 'pack';
  giveUpSeconds: number;
  tickSeconds: number;
  seed: number;
  engine: 'reconciler' | 'planner';
  /** Zone weights for trace sessions without a zone (`simulation.arrivalZones`). */
  arrivalZones?: Record<string, number>;
  /** Autoscale config ids with no price (their cost counts as 0). */
  unpricedAutoscaleIds: string[];
}

const stripUndefined = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;

/**
 * Validates the `simulation:` section (absent means all defaults) and checks that its provider
 * and autoscale ids exist in the config.
 * @throws ConfigError listing every problem by path (`simulation.providers.aws.bootTime.p95Seconds`).
 */
export function parseSimulationSettings(config: HeadroomConfig, options: { source?: string } = {}): SimulationSettings {
  const issues: ConfigIssue[] = [];
  const result = simulationSectionSchema.safeParse(config.simulation ?? {});
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          issues.push({ path: formatConfigPath(['simulation', ...issue.path, key]), message: 'unknown field' });
        continue;
      }
      const message =
        issue.code === 'invalid_type' && /received undefined/i.test(issue.message) ? 'is required' : issue.message;
      issues.push({ path: formatConfigPath(['simulation', ...issue.path]), message });
    }
    throw new ConfigError({ issues, ...(options.source ? { source: options.source } : {}) });
  }
  const section = result.data;
  const autoscaleIds = new Set(listAutoscaleEntries(config).map((entry) => entry.autoscale.id));
  for (const providerId of Object.keys(section.providers)) {
    if (!(providerId in config.providers))
      issues.push({ path: `simulation.providers.${providerId}`, message: `no provider config "${providerId}"` });
  }
  const prices = section.pricePerInstanceHour;
  if (prices !== undefined && typeof prices === 'object') {
    for (const autoscaleId of Object.keys(prices)) {
      if (!autoscaleIds.has(autoscaleId))
        issues.push({
          path: `simulation.pricePerInstanceHour.${autoscaleId}`,
          message: `no autoscale config "${autoscaleId}"`,
        });
    }
  }
  const knownZones = new Set([
    ...config.zones.map((zone) => zone.id),
    ...listAutoscaleEntries(config).map((entry) => entry.autoscale.zone),
  ]);
  for (const zone of Object.keys(section.arrivalZones ?? {})) {
    if (!knownZones.has(zone))
      issues.push({
        path: `simulation.arrivalZones.${zone}`,
        message: `no zone "${zone}" (zones: ${[...knownZones].join(', ')})`,
      });
  }
  if (issues.length > 0) throw new ConfigError({ issues, ...(options.source ? { source: options.source } : {}) });

  const defaults: ProviderCloudModel = { ...DEFAULT_CLOUD_MODEL.defaults, ...stripUndefined(section.defaults ?? {}) };
  const cloud: CloudModel = {
    defaults,
    providers: Object.fromEntries(
      Object.entries(section.providers).map(([providerId, model]) => [providerId, stripUndefined(model)]),
    ),
    ...(typeof prices === 'object' ? { pricePerInstanceHour: prices } : {}),
    ...(typeof prices === 'number'
      ? { defaultPricePerInstanceHour: prices }
      : section.defaultPricePerInstanceHour !== undefined
        ? { defaultPricePerInstanceHour: section.defaultPricePerInstanceHour }
        : {}),
  };
  const unpricedAutoscaleIds =
    typeof prices === 'number' || section.defaultPricePerInstanceHour !== undefined
      ? []
      : [...autoscaleIds].filter((autoscaleId) => prices?.[autoscaleId] === undefined);
  return {
    cloud,
    currency: section.currency,
    placement: section.placement,
    giveUpSeconds: section.giveUpSeconds,
    tickSeconds: section.tickSeconds,
    seed: section.seed,
    engine: section.engine,
    ...(section.arrivalZones !== undefined ? { arrivalZones: section.arrivalZones } : {}),
    unpricedAutoscaleIds,
  };
}
