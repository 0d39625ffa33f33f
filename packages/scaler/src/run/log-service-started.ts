import { listAutoscaleEntries } from '@headroom/core';
import type { JsonLogger } from './json-logger.js';
import type { ServiceConfig } from './service-config.js';

/** Logs that `headroom run` started. */
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
}
