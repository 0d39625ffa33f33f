import { ConfigError, type HeadroomConfig } from '@headroom/core';
import { expandSweep, parseSweepParameter, STAGING_SWEEP_PREFIX, type SweepParameter } from '@headroom/sim';

/** One point of the grid: the values as the user named them, and the config with them applied. */
export interface SweepGridPoint {
  settings: Record<string, number | string | boolean>;
  config: HeadroomConfig;
}

/**
 * The autoscale-config-qualified keys (`autoscaleId:path`) a `--sweep` key stands for:
 * `path` means every autoscale config of the docker-agent pools; `autoscaleId:path` and
 * `pool/autoscaleId:path` name one autoscale config. `staging.<id or index>.<field>` names a
 * staging config's field and stands for itself.
 * @throws ConfigError when the named pool or autoscale config does not exist, or nothing matches.
 */
export function resolveSweepTargets(options: { config: HeadroomConfig; key: string }): string[] {
  const { config, key } = options;
  if (key.startsWith(STAGING_SWEEP_PREFIX)) return [key];
  const colon = key.indexOf(':');
  if (colon < 0) {
    const ids = config.pools
      .filter((pool) => pool.kind === 'docker-agent')
      .flatMap((pool) => pool.autoscale.map((autoscale) => autoscale.id));
    if (ids.length === 0)
      throw new ConfigError({
        issues: [{ path: 'sweep', message: `sweep key "${key}": the config has no docker-agent autoscale config` }],
      });
    return [...new Set(ids)].map((id) => `${id}:${key}`);
  }
  const target = key.slice(0, colon);
  const path = key.slice(colon + 1);
  const slash = target.indexOf('/');
  const poolId = slash >= 0 ? target.slice(0, slash) : undefined;
  const autoscaleId = slash >= 0 ? target.slice(slash + 1) : target;
  const owners = config.pools.filter((pool) => pool.autoscale.some((autoscale) => autoscale.id === autoscaleId));
  if (poolId !== undefined) {
    if (!owners.some((pool) => pool.id === poolId))
      throw new ConfigError({
        issues: [
          { path: 'sweep', message: `sweep key "${key}": pool "${poolId}" has no autoscale config "${autoscaleId}"` },
        ],
      });
    if (owners.length > 1)
      throw new ConfigError({
        issues: [
          {
            path: 'sweep',
            message: `sweep key "${key}": autoscale config id "${autoscaleId}" is used by several pools; give it a unique id`,
          },
        ],
      });
  }
  if (owners.length === 0)
    throw new ConfigError({
      issues: [{ path: 'sweep', message: `sweep key "${key}": no autoscale config "${autoscaleId}"` }],
    });
  return [`${autoscaleId}:${path}`];
}

/**
 * Expands `--sweep key=v1,v2,…` flags into the grid (first flag varies slowest), each point a copy
 * of `config` with its values applied to the targeted autoscale configs.
 * @throws ConfigError for a malformed flag, an unknown target or a key that names no field.
 */
export function buildSweepGrid(options: { config: HeadroomConfig; sweeps: readonly string[] }): SweepGridPoint[] {
  const parameters: SweepParameter[] = options.sweeps.map((text) => parseSweepParameter(text));
  const seen = new Set<string>();
  for (const parameter of parameters) {
    if (seen.has(parameter.key))
      throw new ConfigError({ issues: [{ path: 'sweep', message: `sweep key "${parameter.key}" given twice` }] });
    seen.add(parameter.key);
  }
  const targets = new Map(
    parameters.map((parameter) => [parameter.key, resolveSweepTargets({ config: options.config, key: parameter.key })]),
  );
  for (const parameter of parameters) {
    for (const target of targets.get(parameter.key) ?? []) {
      for (const value of parameter.values) {
        try {
          expandSweep({ config: options.config, parameters: [{ key: target, values: [value] }] });
        } catch (error) {
          if (!ConfigError.isInstance(error)) throw error;
          throw new ConfigError({
            issues: error.issues.map((issue) => ({
              ...issue,
              message: issue.message.replace(`"${target}"`, `"${parameter.key}" (value ${JSON.stringify(value)})`),
            })),
          });
        }
      }
    }
  }
  let grid: Record<string, number | string | boolean>[] = [{}];
  for (const parameter of parameters) {
    grid = grid.flatMap((settings) => parameter.values.map((value) => ({ ...settings, [parameter.key]: value })));
  }
  return grid.map((settings) => {
    const expanded = expandSweep({
      config: options.config,
      parameters: Object.entries(settings).flatMap(([key, value]) =>
        (targets.get(key) ?? []).map((target) => ({ key: target, values: [value] })),
      ),
    });
    return { settings, config: expanded[0]!.config };
  });
}
