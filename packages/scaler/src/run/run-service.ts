import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { type Clock, systemClock } from '@headroom/core';
import { UsageError } from '../usage-error.js';
import { VERSION } from '../version.js';
import { createDirectories } from './create-directories.js';
import { createProviders } from './create-providers.js';
import { createServiceAutoscaler } from './create-service-autoscaler.js';
import { createServiceContext } from './create-service-context.js';
import { createFleetInventory } from './fleet-inventory.js';
import { createHttpApi } from './http-api.js';
import { createImagePins } from './image-pins.js';
import type { JsonLogger } from './json-logger.js';
import { logServiceStarted } from './log-service-started.js';
import { openStateStore } from './open-state-store.js';
import { pollOf, type RunState, tokensOf } from './run-state.js';
import { loadServiceConfig } from './service-config.js';
import { createServiceMetrics } from './service-metrics.js';
import { serviceRoutes } from './service-routes.js';
import { TickHistory } from './tick-history.js';
import { watchServiceConfig } from './watch-service-config.js';

export interface RunServiceOptions {
  configPath: string;
  /** Directory of the default SQLite database and fake cloud state. */
  stateDir: string;
  /** Forces a dry run whatever the config says. */
  dryRun: boolean;
  /** Overrides `api.listen`. */
  listen?: string;
  /** This replica's id in leader election. Default: host name and process id. */
  holderId?: string;
  logger: JsonLogger;
  /** Default: the system clock. */
  clock?: Clock;
}

/** A running service. */
export interface RunService {
  readonly address: { host: string; port: number };
  /** Re-reads the config; an invalid one is refused with its errors and the running one stays. */
  reload(): Promise<boolean>;
  /** Graceful shutdown: no new actions, waits for the pass in flight, releases leadership. */
  stop(): Promise<void>;
}

export function parseListen(listen: string): { host: string; port: number } {
  const index = listen.lastIndexOf(':');
  const host = listen.slice(0, index).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(index + 1));
  if (index < 1 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--listen ${listen}: must be "host:port"`);
  return { host, port };
}

/**
 * Starts `headroom run`: config → store → providers → autoscaler → HTTP API, then one loop
 * (`autoscaler.start()`); the config file is watched and reloaded.
 */
export async function startRunService(options: RunServiceOptions): Promise<RunService> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const configPath = resolve(options.configPath);
  const configDirectory = dirname(configPath);
  const loaded = await loadServiceConfig(configPath);
  logger.addSecrets(loaded.secrets);
  const state: RunState = { loaded, tokens: tokensOf(loaded), leader: false };
  const holderId = options.holderId ?? `${hostname()}-${process.pid}`;
  const dryRun = options.dryRun || loaded.settings.scaler.dryRun;
  const { store, leaderElector } = await openStateStore({ ...options, loaded, configPath, holderId });
  const { providers, dnsProviders } = await createProviders({
    config: loaded.config,
    stateDir: options.stateDir,
    configPath,
  });
  const directories = await createDirectories({ config: loaded.config, baseDirectory: configDirectory });
  const metrics = createServiceMetrics({ version: VERSION });
  const history = new TickHistory();
  const inventory = createFleetInventory({
    listLedger: () => store.listInstances(),
    logger,
    reportTimeoutSeconds: loaded.settings.scaler.reportTimeoutSeconds,
    ...pollOf(loaded),
  });
  const imagePins = createImagePins({ config: () => state.loaded.config, configDirectory, store, logger, clock });
  const autoscaler = createServiceAutoscaler({
    state,
    store,
    leaderElector,
    providers,
    dnsProviders,
    directories,
    inventory,
    imagePins,
    metrics,
    history,
    clock,
    dryRun,
    holderId,
    logger,
    configDirectory,
  });
  const context = createServiceContext({
    state,
    holderId,
    dryRun,
    clock,
    logger,
    store,
    leaderElector,
    inventory,
    metrics,
    autoscaler,
    history,
    configDirectory,
    imagePins,
  });

  const api = createHttpApi({
    routes: serviceRoutes(context),
    logger,
    ...(loaded.tls ? { tls: loaded.tls } : {}),
    access: () => ({
      ...(state.loaded.apiToken ? { token: state.loaded.apiToken } : {}),
      publicReadOnly: state.loaded.settings.api.publicReadOnly,
    }),
  });
  const listen = options.listen ?? loaded.settings.api.listen;
  const address = await api.listen(parseListen(listen)).catch(async (error: NodeJS.ErrnoException) => {
    await store.close();
    throw new UsageError(`cannot listen on ${listen}: ${error.code ?? error.message}`);
  });
  logServiceStarted({
    logger,
    loaded,
    holderId,
    api: { protocol: api.protocol, address },
    storeKind: store.kind,
    dryRun,
    providerIds: Object.keys(providers),
  });
  autoscaler.start();

  const { reload, stopWatching } = watchServiceConfig({
    configPath,
    state,
    logger,
    api,
    autoscaler,
    inventory,
    providerIds: new Set(Object.keys(providers)),
    dnsProviderIds: new Set(Object.keys(dnsProviders)),
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down: no new actions, finishing the pass in flight');
      stopWatching();
      inventory.stop();
      await autoscaler.stop();
      await api.close();
      await store.close();
      for (const provider of Object.values(providers)) await provider.close?.();
      logger.info('stopped', { holderId });
    })();
    return stopping;
  };
  return { address, reload, stop };
}
