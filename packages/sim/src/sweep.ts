import { ConfigError, type HeadroomConfig } from '@headroom/core';
import { paretoFront } from './results/pareto-front.js';
import type { SweepPoint } from './results/simulation-result.js';

/** One swept parameter: a dotted path inside autoscale configs and the values to try. */
export interface SweepParameter {
  /**
   * `standby.cores` applies to every autoscale config; `office:standby.cores` only to the autoscale
   * config with id `office`.
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

function applySetting(options: { config: HeadroomConfig; key: string; value: number | string | boolean }): void {
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
 * The cheapest point whose p95 wait is at most `targetP95WaitSeconds` and whose refusals are at
 * most `maxRefused` (either limit may be left out), or undefined when none qualifies. Ties on cost
 * go to the shorter wait.
 */
export function recommendSweepPoint(options: {
  points: readonly SweepPoint[];
  targetP95WaitSeconds?: number;
  maxRefused?: number;
}): SweepPoint | undefined {
  const eligible = options.points.filter(
    (point) =>
      (options.targetP95WaitSeconds === undefined || point.p95WaitSeconds <= options.targetP95WaitSeconds) &&
      (options.maxRefused === undefined || point.refused <= options.maxRefused),
  );
  const front = paretoFront(eligible);
  return front.length > 0 ? eligible[front[0]!] : undefined;
}
