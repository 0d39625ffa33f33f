import { dirname, resolve } from 'node:path';
import type { Autoscaler } from '@headroom/core';
import type { FleetInventory } from './fleet-inventory.js';
import type { HttpApi } from './http-api.js';
import type { JsonLogger } from './json-logger.js';
import { createConfigReloader, watchConfigFile } from './reload-config.js';
import { pollOf, type RunState, tokensOf } from './run-state.js';

/**
 * Wires config reloads: a valid new config replaces `state.loaded` and the tokens, updates the API's
 * TLS, the autoscaler and the inventory, then ticks. The config file and the TLS files (api.tls)
 * are watched; a change reloads the config, which re-reads and checks both.
 */
export function watchServiceConfig(options: {
  configPath: string;
  state: RunState;
  logger: JsonLogger;
  api: HttpApi;
  autoscaler: Autoscaler;
  inventory: FleetInventory;
  providerIds: ReadonlySet<string>;
  dnsProviderIds: ReadonlySet<string>;
}): { reload(): Promise<boolean>; stopWatching(): void } {
  const { configPath, state, logger, api, autoscaler, inventory } = options;
  const reload = createConfigReloader({
    configPath,
    logger,
    current: () => state.loaded,
    providerIds: options.providerIds,
    dnsProviderIds: options.dnsProviderIds,
    apply: (next) => {
      state.loaded = next;
      state.tokens = tokensOf(next);
      if (next.tls) api.updateTls(next.tls);
      watchTlsFiles();
      autoscaler.updateConfig(next.config);
      inventory.update({ reportTimeoutSeconds: next.settings.scaler.reportTimeoutSeconds, ...pollOf(next) });
      void autoscaler.tick();
    },
  });
  const unwatch = watchConfigFile(configPath, () => {
    logger.info('config file changed; reloading');
    void reload();
  });
  let unwatchTls: Array<() => void> = [];
  function watchTlsFiles() {
    for (const stop of unwatchTls) stop();
    const tls = state.loaded.settings.api.tls;
    unwatchTls = (tls ? [tls.certFile, tls.keyFile] : []).map((path) =>
      watchConfigFile(resolve(dirname(configPath), path), () => {
        logger.info('TLS file changed; reloading', { path });
        void reload();
      }),
    );
  }
  watchTlsFiles();
  return {
    reload,
    stopWatching: () => {
      unwatch();
      for (const stopWatching of unwatchTls) stopWatching();
    },
  };
}
