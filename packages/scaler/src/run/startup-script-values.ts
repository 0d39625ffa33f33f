import { type AutoscalerOptions, type Clock, listAutoscaleEntries } from '@headroom/core';
import { connectionPlaceholderValues } from './connection-placeholder-values.js';
import type { RunState } from './run-state.js';

/**
 * The autoscaler's `startupScriptValues`: check-in JWT, upstream auth address, manager token and
 * connection placeholders of the instance's config, read from the config in force at call time.
 */
export function createStartupScriptValues(options: {
  state: RunState;
  clock: Clock;
  /** Folder of the config file: relative paths resolve against it. */
  configDirectory: string;
}): NonNullable<AutoscalerOptions['startupScriptValues']> {
  const { state, clock, configDirectory } = options;
  return async (instance) => {
    const { loaded, tokens } = state;
    const upstream = loaded.settings.checkin?.upstreamAuthAddress;
    const entry = listAutoscaleEntries(loaded.config).find(
      ({ pool, autoscale }) => pool.id === instance.pool && autoscale.id === instance.autoscale,
    );
    return {
      ...(tokens ? { checkin_jwt: await tokens.issue({ instanceId: instance.id, nowMs: clock.now() }) } : {}),
      ...(upstream ? { upstream_auth_address: upstream } : {}),
      ...(loaded.managerToken ? { manager_token: loaded.managerToken } : {}),
      ...(entry ? await connectionPlaceholderValues({ entry, baseDirectory: configDirectory }) : {}),
    };
  };
}
