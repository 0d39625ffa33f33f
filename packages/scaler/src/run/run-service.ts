import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  type AutoscalerEvent,
  type Clock,
  createAutoscaler,
  listAutoscaleEntries,
  systemClock,
  type TickResult,
} from '@headroom/core';
import { UsageError } from '../usage-error.js';
import { VERSION } from '../version.js';
import { type CheckinTokens, createCheckinTokens } from './checkin-tokens.js';
import { connectionPlaceholderValues } from './connection-placeholder-values.js';
import { createDirectories } from './create-directories.js';
import { createProviders } from './create-providers.js';
import { createFleetInventory } from './fleet-inventory.js';
import { createHttpApi } from './http-api.js';
import { createImagePins } from './image-pins.js';
import type { JsonLogger } from './json-logger.js';
import { openStateStore } from './open-state-store.js';
import { createConfigReloader, watchConfigFile } from './reload-config.js';
import { checkinRoute } from './routes/checkin-route.js';
import { fileMappingsRoute } from './routes/file-mappings-route.js';
import { fleetRoutes } from './routes/fleet-routes.js';
import { imageRollRoute } from './routes/image-roll-route.js';
import { instanceDrainRoutes } from './routes/instance-drain-routes.js';
import { instanceReportRoute } from './routes/instance-report-route.js';
import { instanceRoute } from './routes/instance-route.js';
import { openApiRoute } from './routes/openapi-route.js';
import { operationsRoutes } from './routes/operations-routes.js';
import { planRoutes } from './routes/plan-routes.js';
import { loadServiceConfig, type ServiceConfig } from './service-config.js';
import type { ServiceContext } from './service-context.js';
import { createServiceMetrics } from './service-metrics.js';
import { TickHistory } from './tick-history.js';

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

function logEvent(logger: JsonLogger, event: AutoscalerEvent): void {
  const { type, at: _at, ...fields } = event;
  if (type === 'provider-call') {
    if (event.errorClass) logger.warn('provider call failed', fields);
    else logger.debug('provider call', fields);
  } else if (type === 'instance-create-error' || type === 'instance-destroy-error') logger.warn(type, fields);
  else if (type !== 'tick-start' && type !== 'tick-end' && type !== 'plan') logger.info(type, fields);
}

function logTick(logger: JsonLogger, result: TickResult): void {
  if (!result.leader) return;
  for (const error of result.errors) logger.warn('reconcile error', { ...error });
  const { created, destroyed, createFailed, destroyFailed } = result.actions;
  if (created.length || destroyed.length || createFailed || destroyFailed)
    logger.info('reconcile pass', {
      created: created.length,
      destroyed: destroyed.length,
      createFailed,
      destroyFailed,
      epoch: result.epoch,
    });
}

const tokensOf = (current: ServiceConfig): CheckinTokens | undefined =>
  current.checkinKey && current.settings.checkin
    ? createCheckinTokens({
        signingKey: current.checkinKey,
        issuer: current.settings.scaler.managedBy,
        validitySeconds: current.settings.checkin.tokenValiditySeconds,
      })
    : undefined;

const pollOf = ({ settings, inventoryToken }: ServiceConfig) =>
  settings.inventory
    ? {
        poll: {
          url: settings.inventory.url,
          intervalSeconds: settings.inventory.intervalSeconds,
          ...(inventoryToken ? { token: inventoryToken } : {}),
        },
      }
    : {};

/**
 * Starts `headroom run`: config → store → providers → autoscaler → HTTP API, then one loop
 * (`autoscaler.start()`); the config file is watched and reloaded.
 */
export async function startRunService(options: RunServiceOptions): Promise<RunService> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const configPath = resolve(options.configPath);
  let loaded = await loadServiceConfig(configPath);
  logger.addSecrets(loaded.secrets);
  const holderId = options.holderId ?? `${hostname()}-${process.pid}`;
  const dryRun = options.dryRun || loaded.settings.scaler.dryRun;
  const { store, leaderElector } = await openStateStore({ ...options, loaded, configPath, holderId });
  const { providers, dnsProviders } = await createProviders({
    config: loaded.config,
    stateDir: options.stateDir,
    configPath,
  });
  const directories = await createDirectories({ config: loaded.config, baseDirectory: dirname(configPath) });
  const metrics = createServiceMetrics({ version: VERSION });
  const history = new TickHistory();
  let tokens = tokensOf(loaded);
  let leader = false;
  const inventory = createFleetInventory({
    listLedger: () => store.listInstances(),
    logger,
    reportTimeoutSeconds: loaded.settings.scaler.reportTimeoutSeconds,
    ...pollOf(loaded),
  });
  const onTick = (result: TickResult | undefined) => {
    if (!result) return;
    metrics.observeTick({ errors: result.errors.length, durationMs: result.durationMs });
    history.record(result);
    logTick(logger, result);
  };
  const imagePins = createImagePins({
    config: () => loaded.config,
    configDirectory: dirname(configPath),
    store,
    logger,
    clock,
  });
  const autoscaler = createAutoscaler({
    config: loaded.config,
    store,
    ...(leaderElector ? { leaderElector } : {}),
    providers,
    dnsProviders,
    directories,
    inventory,
    clock,
    dryRun,
    intentGraceSeconds: loaded.settings.scaler.intentGraceSeconds,
    managedBy: loaded.settings.scaler.managedBy,
    orphans: loaded.settings.scaler.orphans,
    startupScriptValues: async (instance) => {
      const upstream = loaded.settings.checkin?.upstreamAuthAddress;
      const entry = listAutoscaleEntries(loaded.config).find(
        ({ pool, autoscale }) => pool.id === instance.pool && autoscale.id === instance.autoscale,
      );
      return {
        ...(tokens ? { checkin_jwt: await tokens.issue({ instanceId: instance.id, nowMs: clock.now() }) } : {}),
        ...(upstream ? { upstream_auth_address: upstream } : {}),
        ...(loaded.managerToken ? { manager_token: loaded.managerToken } : {}),
        ...(entry ? await connectionPlaceholderValues({ entry, baseDirectory: dirname(configPath) }) : {}),
      };
    },
    imagePins: () => imagePins.current(),
    onEvent: (event) => {
      metrics.observeEvent(event);
      // The result is recorded right after the event; the microtask reads it.
      if (event.type === 'tick-end') queueMicrotask(() => onTick(autoscaler.lastTick()));
      if (event.type !== 'leadership-change') return logEvent(logger, event);
      leader = event.leader;
      logger.info(event.leader ? 'became leader' : 'not leader', {
        holderId,
        epoch: event.epoch,
        leaderHolderId: event.holderId,
      });
    },
  });
  const context: ServiceContext = {
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
    configDirectory: dirname(configPath),
    imagePins,
    config: () => loaded,
    tokens: () => tokens,
    isLeader: () => leader,
    currentLeader: async () => {
      if (!leaderElector) return { holderId, epoch: autoscaler.lastTick()?.epoch ?? 1 };
      return leaderElector.currentLeader().catch(() => null);
    },
    refreshStateMetrics: async () => {
      try {
        const [ledger, plannerState] = await Promise.all([store.listInstances(), store.getPlannerState()]);
        const plans = autoscaler.lastTick()?.plan?.configs;
        const nowMs = clock.now();
        metrics.observeState({ config: loaded.config, ledger, plannerState, nowMs, ...(plans ? { plans } : {}) });
        metrics.setLastSuccessfulTick(history.lastSuccessMs);
      } catch (error) {
        logger.warn('cannot read the store for metrics', { error });
      }
    },
  };

  const api = createHttpApi({
    routes: [
      ...operationsRoutes(context),
      openApiRoute(),
      ...planRoutes(context),
      ...fleetRoutes(context),
      instanceRoute(context),
      instanceReportRoute(context),
      ...instanceDrainRoutes(context),
      checkinRoute(context),
      fileMappingsRoute(context),
      imageRollRoute(context),
    ],
    logger,
    ...(loaded.tls ? { tls: loaded.tls } : {}),
    access: () => ({
      ...(loaded.apiToken ? { token: loaded.apiToken } : {}),
      publicReadOnly: loaded.settings.api.publicReadOnly,
    }),
  });
  const listen = options.listen ?? loaded.settings.api.listen;
  const address = await api.listen(parseListen(listen)).catch(async (error: NodeJS.ErrnoException) => {
    await store.close();
    throw new UsageError(`cannot listen on ${listen}: ${error.code ?? error.message}`);
  });
  logger.info('headroom run started', {
    holderId,
    api: `${api.protocol}://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`,
    store: store.kind,
    dryRun,
    intervalSeconds: loaded.settings.scaler.intervalSeconds,
    providers: Object.keys(providers),
    configs: listAutoscaleEntries(loaded.config).map(({ pool, autoscale }) => `${pool.id}/${autoscale.id}`),
  });
  for (const { pool, autoscale } of listAutoscaleEntries(loaded.config)) {
    if ('predictiveStandby' in autoscale && autoscale.predictiveStandby)
      logger.warn('predictiveStandby is used by headroom simulate only; this service plans with the static standby', {
        config: `${pool.id}/${autoscale.id}`,
      });
  }
  autoscaler.start();

  const reload = createConfigReloader({
    configPath,
    logger,
    current: () => loaded,
    providerIds: new Set(Object.keys(providers)),
    dnsProviderIds: new Set(Object.keys(dnsProviders)),
    apply: (next) => {
      loaded = next;
      tokens = tokensOf(next);
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
  // A renewed certificate or key (api.tls) reloads the config, which re-reads and checks both.
  let unwatchTls: Array<() => void> = [];
  function watchTlsFiles() {
    for (const stop of unwatchTls) stop();
    const tls = loaded.settings.api.tls;
    unwatchTls = (tls ? [tls.certFile, tls.keyFile] : []).map((path) =>
      watchConfigFile(resolve(dirname(configPath), path), () => {
        logger.info('TLS file changed; reloading', { path });
        void reload();
      }),
    );
  }
  watchTlsFiles();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down: no new actions, finishing the pass in flight');
      unwatch();
      for (const stopWatching of unwatchTls) stopWatching();
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
