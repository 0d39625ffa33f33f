import { listAutoscaleEntries } from '@headroom/core';
import type { JsonLogger } from './json-logger.js';
import type { ServiceConfig } from './service-config.js';

/** Logs that `headroom run` started, and warns for each config using `predictiveStandby` (simulate only). */
export function logServiceStarted(options: {
  logger: JsonLogger;
  loaded: ServiceConfig;
  holderId: string;
  api: { protocol: string; address: { host: string; port: number } };
  storeKind: string;
  dryRun: boolean;
  providerIds: string[];
}): void {
  const { logger, loaded, api } = options;
  const { host, port } = api.address;
  logger.info('headroom run started', {
    holderId: options.holderId,
    api: `${api.protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    store: options.storeKind,
    dryRun: options.dryRun,
    intervalSeconds: loaded.settings.scaler.intervalSeconds,
    providers: options.providerIds,
    configs: listAutoscaleEntries(loaded.config).map(({ pool, autoscale }) => `${pool.id}/${autoscale.id}`),
  });
  for (const { pool, autoscale } of listAutoscaleEntries(loaded.config)) {
    if ('predictiveStandby' in autoscale && autoscale.predictiveStandby)
      logger.warn('predictiveStandby is used by headroom simulate only; this service plans with the static standby', {
        config: `${pool.id}/${autoscale.id}`,
      });
  }
}
