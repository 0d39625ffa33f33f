import { ConfigError, type HeadroomConfig, stagingConfigSchema } from '@headroom/core';
import { paretoFront } from './results/pareto-front.js';
import type { SweepPoint } from './results/simulation-result.js';

/** One swept parameter: a dotted path inside autoscale configs (or a staging config) and the values to try. */
export interface SweepParameter {
  /**
   * `standby.cores` applies to every autoscale config; `office:standby.cores` only to the autoscale
   * config with id `office`; `staging.chrome.desiredSessions` (or `staging.0.desiredSessions`) to
   * the numeric field of the staging config with that id (or index).
   */
  key: string;
  values: (number | string | boolean)[];
}

/**
 * Parses `standby.cores=0,4,8,16` (the `--sweep` syntax). Values that read as numbers or
 * `true`/`false` become those.
 *
 * @throws ConfigError when the text has no `=` or no values.
 */
export function parseSweepParameter(text: string): SweepParameter {
  const separator = text.indexOf('=');
  const key = text.slice(0, separator).trim();
  const values = text
    .slice(separator + 1)
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
  if (separator <= 0 || key === '' || values.length === 0) {
    throw new ConfigError({ issues: [{ path: 'sweep', message: `expected key=value,value,… (got "${text}")` }] });
  }
  return {
    key,
    values: values.map((value) => {
      if (value === 'true' || value === 'false') return value === 'true';
      const number = Number(value);
      return Number.isFinite(number) ? number : value;
    }),
  };
}

/**
 * The grid of configs for a sweep: one config per combination of values (the first parameter
 * varies slowest), each a deep copy of `config` with the values set.
 *
 * @throws ConfigError when a path does not name an existing field of the targeted autoscale configs.
 */
export function expandSweep(options: {
  config: HeadroomConfig;
  parameters: readonly SweepParameter[];
}): { settings: Record<string, number | string | boolean>; config: HeadroomConfig }[] {
  let grid: Record<string, number | string | boolean>[] = [{}];
  for (const parameter of options.parameters) {
    grid = grid.flatMap((settings) => parameter.values.map((value) => ({ ...settings, [parameter.key]: value })));
  }
  return grid.map((settings) => {
    const config = structuredClone(options.config);
    for (const [key, value] of Object.entries(settings)) applySetting({ config, key, value });
    return { settings, config };
  });
}

/** The staging sweep key prefix: `staging.<id or index>.<numeric field>`. */
export const STAGING_SWEEP_PREFIX = 'staging.';

/**
 * Sets a numeric field of one staging config, bounded as the config schema bounds it.
 * @throws ConfigError naming `staging[i].field` when the id, the field or the value is unusable.
 */
function applyStagingSetting(options: { config: HeadroomConfig; key: string; value: number | string | boolean }): void {
  const parts = options.key.slice(STAGING_SWEEP_PREFIX.length).split('.');
  const [target = '', field = ''] = parts;
  if (parts.length !== 2)
    throw stagingSweepError(
      options.key,
      'sweep',
      'expected staging.<id or index>.<field>, e.g. staging.chrome.desiredSessions',
    );
  const staging = options.config.staging;
  const byId = staging.findIndex((entry) => entry.id === target);
  const index = byId >= 0 ? byId : /^\d+$/.test(target) ? Number(target) : -1;
  const entry = staging[index];
  if (entry === undefined)
    throw stagingSweepError(options.key, 'sweep', `no staging config with id or index "${target}"`);
  const path = `staging[${index}].${field}`;
  const current = (entry as unknown as Record<string, unknown>)[field];
  if (typeof current !== 'number')
    throw stagingSweepError(options.key, path, 'names no numeric field of a staging config');
  const shape = stagingConfigSchema.shape as unknown as Record<string, { safeParse(value: unknown): SafeParse }>;
  const checked = shape[field]!.safeParse(options.value);
  if (!checked.success)
    throw stagingSweepError(
      options.key,
      path,
      `value ${JSON.stringify(options.value)} ${checked.error.issues[0]?.message}`,
    );
  (entry as unknown as Record<string, unknown>)[field] = options.value;
}

const stagingSweepError = (key: string, path: string, message: string) =>
  new ConfigError({ issues: [{ path, message: `sweep key "${key}": ${message}` }] });

type SafeParse = { success: true } | { success: false; error: { issues: { message: string }[] } };

function applySetting(options: { config: HeadroomConfig; key: string; value: number | string | boolean }): void {
  if (options.key.startsWith(STAGING_SWEEP_PREFIX)) {
    applyStagingSetting(options);
    return;
  }
  const colon = options.key.indexOf(':');
  const autoscaleId = colon >= 0 ? options.key.slice(0, colon) : undefined;
  const path = (colon >= 0 ? options.key.slice(colon + 1) : options.key).split('.');
  let applied = 0;
  options.config.pools.forEach((pool, poolIndex) => {
    pool.autoscale.forEach((autoscale, autoscaleIndex) => {
      if (autoscaleId !== undefined && autoscale.id !== autoscaleId) return;
      let target = autoscale as unknown as Record<string, unknown>;
      for (const part of path.slice(0, -1)) {
        const next = target[part];
        if (next === null || typeof next !== 'object') {
          throw new ConfigError({
            issues: [
              {
                path: `pools[${poolIndex}].autoscale[${autoscaleIndex}].${path.join('.')}`,
                message: `sweep key "${options.key}" names no field here`,
              },
            ],
          });
        }
        target = next as Record<string, unknown>;
      }
      const last = path.at(-1)!;
      if (!(last in target) || (target[last] !== undefined && typeof target[last] !== typeof options.value)) {
        throw new ConfigError({
          issues: [
            {
              path: `pools[${poolIndex}].autoscale[${autoscaleIndex}].${path.join('.')}`,
              message: `sweep key "${options.key}" names no ${typeof options.value} field here`,
            },
          ],
        });
      }
      target[last] = options.value;
      applied++;
    });
  });
  if (applied === 0) {
    throw new ConfigError({
      issues: [{ path: 'sweep', message: `sweep key "${options.key}" matches no autoscale config` }],
    });
  }
}

/**
 * The cheapest point whose p95 wait is at most `targetP95WaitSeconds`, whose refusals are at
 * most `maxRefused` and whose staged hit rate is at least `targetHitRate` (any limit may be left
 * out; a point without a hit rate never meets a hit-rate target), or undefined when none
 * qualifies. Ties on cost go to the shorter wait.
 */
export function recommendSweepPoint(options: {
  points: readonly SweepPoint[];
  targetP95WaitSeconds?: number;
  maxRefused?: number;
  targetHitRate?: number;
}): SweepPoint | undefined {
  const { targetHitRate } = options;
  const eligible = options.points.filter(
    (point) =>
      (options.targetP95WaitSeconds === undefined || point.p95WaitSeconds <= options.targetP95WaitSeconds) &&
      (options.maxRefused === undefined || point.refused <= options.maxRefused) &&
      (targetHitRate === undefined || (point.hitRate !== undefined && point.hitRate >= targetHitRate)),
  );
  const front = paretoFront(eligible);
  return front.length > 0 ? eligible[front[0]!] : undefined;
}
