import { unwatchFile, watchFile } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  type Autoscaler,
  type AutoscalerEvent,
  ConfigError,
  type ConfigIssue,
  createAutoscaler,
  type HeadroomConfig,
  isActive,
  type LeaderElector,
  listAutoscaleEntries,
  listTransitions,
  nextTransition,
  type StateStore,
  type TickResult,
} from '@headroom/core';
import { resolveSecret, type SecretInput } from '@headroom/core/provider';
import { loadConfigFile } from '../load-config-file.js';
import { createComputeProvider, createDnsProvider, validateProviderSettings } from '../provider-registry.js';
import { UsageError } from '../usage-error.js';
import { type CheckinTokens, createCheckinTokens } from './checkin-tokens.js';
import { collectConfigSecrets } from './collect-config-secrets.js';
import { createDirectories } from './create-directories.js';
import { createFleetInventory, type FleetInventory, UnknownInstanceError } from './fleet-inventory.js';
import { createHttpApi, type HttpApi, HttpError, type Route } from './http-api.js';
import type { JsonLogger } from './json-logger.js';
import { parseRunSettings, type RunSettings } from './run-config-schema.js';
import { createServiceMetrics, type ServiceMetrics } from './service-metrics.js';

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
}

/** A running service. */
export interface RunService {
  readonly address: { host: string; port: number };
  /** Re-reads the config; an invalid one is refused with its errors and the running one stays. */
  reload(): Promise<boolean>;
  /** Graceful shutdown: no new actions, waits for the pass in flight, releases leadership. */
  stop(): Promise<void>;
}

interface LoadedConfig {
  config: HeadroomConfig;
  settings: RunSettings;
  apiToken?: string;
  checkinKey?: string;
  inventoryToken?: string;
  postgresUrl?: string;
  secrets: string[];
}

const PLAN_HISTORY = 20;
const FOLLOWER_POLL_SECONDS = 2;

function secretOf(value: SecretInput | undefined, field: string): Promise<string | undefined> {
  if (value === undefined) return Promise.resolve(undefined);
  return resolveSecret({ value, providerId: 'headroom', field });
}

async function loadServiceConfig(path: string): Promise<LoadedConfig> {
  const config = await loadConfigFile(path);
  const issues: ConfigIssue[] = [];
  const collect = async <T>(check: () => Promise<T> | T): Promise<T | undefined> => {
    try {
      return await check();
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      issues.push(...error.issues);
      return undefined;
    }
  };
  await collect(() => validateProviderSettings(config, path));
  const settings = await collect(() => parseRunSettings(config, { source: path }));
  if (!settings) throw new ConfigError({ issues, source: path });
  const resolveField = async (value: SecretInput | undefined, field: string) => {
    try {
      return await secretOf(value, field);
    } catch (error) {
      issues.push({ path: field, message: (error as Error).message });
      return undefined;
    }
  };
  const apiToken = await resolveField(settings.api.token, 'api.token');
  const checkinKey = await resolveField(settings.checkin?.signingKey, 'checkin.signingKey');
  const inventoryToken = await resolveField(settings.inventory?.token, 'inventory.token');
  const postgresUrl =
    settings.state && 'postgres' in settings.state
      ? await resolveField(settings.state.postgres.url, 'state.postgres.url')
      : undefined;
  if (checkinKey !== undefined && checkinKey.length < 32)
    issues.push({ path: 'checkin.signingKey', message: 'must be at least 32 characters' });
  if (apiToken !== undefined && apiToken.length < 16)
    issues.push({ path: 'api.token', message: 'must be at least 16 characters' });
  if (issues.length > 0) throw new ConfigError({ issues, source: path });
  const secrets = [...(await collectConfigSecrets(config))];
  for (const value of [apiToken, checkinKey, inventoryToken]) if (value) secrets.push(value);
  return {
    config,
    settings,
    secrets,
    ...(apiToken ? { apiToken } : {}),
    ...(checkinKey ? { checkinKey } : {}),
    ...(inventoryToken ? { inventoryToken } : {}),
    ...(postgresUrl ? { postgresUrl } : {}),
  };
}

function parseListen(listen: string): { host: string; port: number } {
  const index = listen.lastIndexOf(':');
  const host = listen.slice(0, index).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(index + 1));
  if (index < 1 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--listen ${listen}: must be "host:port"`);
  return { host, port };
}

function summariseTick(result: TickResult) {
  return {
    at: result.at,
    leader: result.leader,
    ...(result.epoch !== undefined ? { epoch: result.epoch } : {}),
    durationMs: result.durationMs,
    actions: result.actions,
    errors: result.errors,
    ...(result.plan
      ? {
          warnings: result.plan.warnings,
          configs: result.plan.configs.map((plan) => ({
            pool: plan.pool,
            autoscale: plan.autoscale,
            provider: plan.provider,
            kind: plan.kind,
            enabled: plan.enabled,
            active: plan.active,
            need: plan.need,
            available: plan.available,
            pending: plan.pending,
            deficit: plan.deficit,
            create: plan.create,
            destroy: plan.destroy,
            capped: plan.capped,
            reasons: plan.reasons,
            warnings: plan.warnings,
          })),
        }
      : {}),
  };
}

function logEvent(logger: JsonLogger, event: AutoscalerEvent): void {
  const { type, at: _at, ...fields } = event;
  switch (type) {
    case 'provider-call':
      if (event.errorClass) logger.warn('provider call failed', fields);
      else logger.debug('provider call', fields);
      return;
    case 'tick-start':
    case 'tick-end':
    case 'plan':
      return;
    case 'instance-create-error':
    case 'instance-destroy-error':
      logger.warn(type, fields);
      return;
    default:
      logger.info(type, fields);
  }
}

/** Starts `headroom run`: loads and validates the config, opens the store, serves the API and runs the loop. */
export async function startRunService(options: RunServiceOptions): Promise<RunService> {
  const { logger } = options;
  const configPath = resolve(options.configPath);
  let loaded = await loadServiceConfig(configPath);
  logger.addSecrets(loaded.secrets);
  const holderId = options.holderId ?? `${hostname()}-${process.pid}`;
  const dryRun = options.dryRun || loaded.settings.scaler.dryRun;

  // State store and leader election.
  let store: StateStore;
  let leaderElector: LeaderElector | undefined;
  const state = loaded.settings.state;
  if (state && 'postgres' in state && loaded.postgresUrl) {
    const { createPostgresLeaderElector, createPostgresStateStore } = await import('@headroom/store-postgres');
    const schema = state.postgres.schema;
    store = createPostgresStateStore({ url: loaded.postgresUrl, ...(schema ? { schema } : {}) });
    leaderElector = createPostgresLeaderElector({
      url: loaded.postgresUrl,
      holderId,
      ...(schema ? { schema } : {}),
      onLeadershipLost: (leadership) => logger.warn('leadership lost', { epoch: leadership.epoch }),
    });
  } else {
    const path =
      state && 'sqlite' in state
        ? isAbsolute(state.sqlite)
          ? state.sqlite
          : resolve(dirname(configPath), state.sqlite)
        : join(resolve(options.stateDir), 'state.sqlite');
    await mkdir(dirname(path), { recursive: true });
    const { createSqliteStateStore } = await import('@headroom/store-sqlite');
    store = createSqliteStateStore({ path });
  }
  await store.init();

  // Providers.
  const providerEntries = (config: HeadroomConfig) =>
    Object.entries(config.providers).map(([id, entry]) => {
      const withState =
        entry.type === 'fake' && entry.url === undefined && entry.stateFile === undefined
          ? { ...entry, stateFile: join(resolve(options.stateDir), `fake-cloud-${id}.json`) }
          : entry;
      return [id, withState] as const;
    });
  if (Object.values(loaded.config.providers).some((entry) => entry.type === 'fake')) {
    await mkdir(resolve(options.stateDir), { recursive: true });
  }
  const providers = Object.fromEntries(
    await Promise.all(
      providerEntries(loaded.config).map(
        async ([id, entry]) => [id, await createComputeProvider(entry, { id, configPath })] as const,
      ),
    ),
  );
  const dnsProviders = Object.fromEntries(
    await Promise.all(
      Object.entries(loaded.config.dnsProviders).map(
        async ([id, entry]) => [id, await createDnsProvider(entry, { id, configPath })] as const,
      ),
    ),
  );

  const directories = await createDirectories({ config: loaded.config, baseDirectory: dirname(resolve(configPath)) });

  const metrics: ServiceMetrics = createServiceMetrics();
  let tokens: CheckinTokens | undefined;
  const makeTokens = (current: LoadedConfig) =>
    current.checkinKey && current.settings.checkin
      ? createCheckinTokens({
          signingKey: current.checkinKey,
          issuer: current.settings.scaler.managedBy,
          validitySeconds: current.settings.checkin.tokenValiditySeconds,
        })
      : undefined;
  tokens = makeTokens(loaded);

  const pollOf = (current: LoadedConfig) =>
    current.settings.inventory
      ? {
          url: current.settings.inventory.url,
          intervalSeconds: current.settings.inventory.intervalSeconds,
          ...(current.inventoryToken ? { token: current.inventoryToken } : {}),
        }
      : undefined;
  const initialPoll = pollOf(loaded);
  const inventory: FleetInventory = createFleetInventory({
    listLedger: () => store.listInstances(),
    logger,
    reportTimeoutSeconds: loaded.settings.scaler.reportTimeoutSeconds,
    ...(initialPoll ? { poll: initialPoll } : {}),
  });

  let leader = { leader: false, epoch: undefined as number | undefined };
  const history: ReturnType<typeof summariseTick>[] = [];
  /** The latest pass that created or destroyed something (kept beyond the history window). */
  let lastWithActions: ReturnType<typeof summariseTick> | null = null;

  const autoscaler: Autoscaler = createAutoscaler({
    config: loaded.config,
    store,
    ...(leaderElector ? { leaderElector } : {}),
    providers,
    dnsProviders,
    directories,
    inventory,
    dryRun,
    intentGraceSeconds: loaded.settings.scaler.intentGraceSeconds,
    managedBy: loaded.settings.scaler.managedBy,
    orphans: loaded.settings.scaler.orphans,
    startupScriptValues: async (instance) => {
      const values: Record<string, string> = {};
      const checkin = loaded.settings.checkin;
      if (tokens) values.checkin_jwt = await tokens.issue({ instanceId: instance.id, nowMs: Date.now() });
      if (checkin?.upstreamAuthAddress) values.upstream_auth_address = checkin.upstreamAuthAddress;
      return values;
    },
    onEvent: (event) => {
      metrics.observeEvent(event);
      if (event.type === 'leadership-change') {
        leader = { leader: event.leader, epoch: event.epoch };
        logger.info(event.leader ? 'became leader' : 'not leader', {
          holderId,
          epoch: event.epoch,
          leaderHolderId: event.holderId,
        });
        return;
      }
      logEvent(logger, event);
    },
  });

  const refreshStateMetrics = async (result: TickResult | undefined) => {
    try {
      const [ledger, plannerState] = await Promise.all([store.listInstances(), store.getPlannerState()]);
      metrics.observeState({
        config: loaded.config,
        ...(result?.plan ? { plans: result.plan.configs } : {}),
        ledger,
        plannerState,
        nowMs: Date.now(),
      });
    } catch (error) {
      logger.warn('cannot read the store for metrics', { error: (error as Error).message });
    }
  };

  // The loop: the leader passes every intervalSeconds, a follower checks for leadership more often.
  let running = true;
  let wake: (() => void) | undefined;
  let inFlight: Promise<void> | undefined;
  const passOnce = async () => {
    try {
      const result = await autoscaler.tick();
      metrics.observeTick({ errors: result.errors.length, durationMs: result.durationMs });
      if (leader.leader !== result.leader || (result.leader && leader.epoch !== result.epoch)) {
        leader = { leader: result.leader, epoch: result.epoch };
      }
      metrics.setLeader({ leader: result.leader, ...(result.epoch !== undefined ? { epoch: result.epoch } : {}) });
      if (result.leader) {
        const summary = summariseTick(result);
        history.unshift(summary);
        const { created, destroyed, createFailed, destroyFailed } = result.actions;
        if (created.length || destroyed.length || createFailed || destroyFailed) lastWithActions = summary;
        history.length = Math.min(history.length, PLAN_HISTORY);
        for (const error of result.errors) logger.warn('reconcile error', { ...error });
        const { actions } = result;
        if (actions.created.length || actions.destroyed.length || actions.createFailed || actions.destroyFailed) {
          logger.info('reconcile pass', {
            created: actions.created.length,
            destroyed: actions.destroyed.length,
            createFailed: actions.createFailed,
            destroyFailed: actions.destroyFailed,
            epoch: result.epoch,
          });
        }
      }
      await refreshStateMetrics(result.leader ? result : undefined);
    } catch (error) {
      logger.error('reconcile pass failed', { error: (error as Error).message });
    }
  };
  const loop = async () => {
    while (running) {
      inFlight = passOnce();
      await inFlight;
      inFlight = undefined;
      if (!running) break;
      const seconds = leader.leader
        ? loaded.settings.scaler.intervalSeconds
        : Math.min(FOLLOWER_POLL_SECONDS, loaded.settings.scaler.intervalSeconds);
      await new Promise<void>((resolveSleep) => {
        const timer = setTimeout(resolveSleep, seconds * 1000);
        wake = () => {
          clearTimeout(timer);
          resolveSleep();
        };
      });
      wake = undefined;
    }
  };

  const currentLeader = async () => {
    if (!leaderElector) return { holderId, epoch: leader.epoch ?? 1 };
    try {
      return await leaderElector.currentLeader();
    } catch {
      return null;
    }
  };

  const scheduleView = (atMs: number) => ({
    at: new Date(atMs).toISOString(),
    configs: listAutoscaleEntries(loaded.config).map(({ pool, autoscale }) => ({
      pool: pool.id,
      autoscale: autoscale.id,
      enabled: autoscale.enabled,
      active: autoscale.enabled && isActive(autoscale.schedules, atMs),
      nextTransition: autoscale.enabled ? (nextTransition(autoscale.schedules, atMs) ?? null) : null,
      transitions: autoscale.enabled
        ? listTransitions(autoscale.schedules, atMs, atMs + 7 * 86_400_000).map((transition) => ({
            at: new Date(transition.atMs).toISOString(),
            active: transition.active,
          }))
        : [],
    })),
  });

  const routes: Route[] = [
    { method: 'GET', path: '/healthz', access: 'open', handle: () => ({ status: 200, body: { status: 'ok' } }) },
    {
      method: 'GET',
      path: '/readyz',
      access: 'open',
      handle: async (request) => {
        const checks: Record<string, string> = {};
        try {
          await store.getPlannerState();
          checks.store = 'ok';
        } catch (error) {
          checks.store = `unreachable: ${(error as Error).message}`;
        }
        const current = await currentLeader();
        checks.leader = current ? `known (${current.holderId}, epoch ${current.epoch})` : 'unknown';
        let ready = checks.store === 'ok' && current !== null;
        // `?leader=1` is ready only on the leader: a load balancer can route check-ins with it.
        if (request.query.get('leader') === '1' && !leader.leader) {
          checks.role = 'follower';
          ready = false;
        }
        return { status: ready ? 200 : 503, body: { ready, checks, holderId, leader: leader.leader } };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      access: 'read',
      handle: async () => ({
        status: 200,
        text: await metrics.registry.metrics(),
        contentType: metrics.registry.contentType,
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/plan',
      access: 'read',
      handle: async () => {
        const current = await currentLeader();
        return {
          status: 200,
          body: {
            holderId,
            leader: leader.leader,
            currentLeader: current,
            dryRun,
            last: history[0] ?? null,
            lastWithActions,
            history,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/schedule',
      access: 'read',
      handle: () => ({ status: 200, body: scheduleView(Date.now()) }),
    },
    {
      method: 'GET',
      path: '/api/v1/fleet',
      access: 'read',
      handle: async () => ({
        status: 200,
        body: {
          ...(await inventory.getSnapshot({ now: Date.now() })),
          input: inventory.status(),
          ledger: await store.listInstances(),
        },
      }),
    },
    {
      method: 'PUT',
      path: '/api/v1/fleet',
      access: 'write',
      handle: (request) => {
        const snapshot = inventory.putSnapshot({ input: request.body, nowMs: Date.now() });
        return {
          status: 200,
          body: { accepted: true, instances: snapshot.instances.length, queued: snapshot.queued.length },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/instances/:id/report',
      access: 'custom',
      handle: async (request) => {
        const instanceId = request.params.id ?? '';
        if (!request.hasApiToken) {
          const verification = tokens
            ? await tokens.verify({ token: request.bearerToken, nowMs: Date.now() })
            : undefined;
          if (!verification?.ok || verification.instanceId !== instanceId) {
            logger.warn('instance report refused', { instanceId, remoteAddress: request.remoteAddress });
            throw new HttpError({
              status: 401,
              message: 'a valid bearer token (API token or the instance check-in token) is required',
            });
          }
        }
        try {
          const instance = await inventory.report({ instanceId, input: request.body, nowMs: Date.now() });
          metrics.observeReport();
          return { status: 200, body: { accepted: true, instance } };
        } catch (error) {
          if (error instanceof UnknownInstanceError) throw new HttpError({ status: 404, message: error.message });
          throw error;
        }
      },
    },
    {
      method: 'POST',
      path: '/api/set_server_status',
      access: 'custom',
      handle: async (request) => {
        const nowMs = Date.now();
        const verification = tokens
          ? await tokens.verify({ token: request.query.get('token') ?? undefined, nowMs })
          : ({ ok: false, refusal: 'missing' } as const);
        let refusal = verification.ok ? undefined : verification.refusal;
        let instanceId = verification.ok ? verification.instanceId : undefined;
        if (instanceId !== undefined) {
          const ledger = await store.listInstances();
          const known = ledger.find(
            (instance) => instance.id === instanceId || instance.providerInstanceId === instanceId,
          );
          if (!known) {
            refusal = 'foreign';
          } else {
            instanceId = known.id;
          }
        }
        if (refusal !== undefined || instanceId === undefined) {
          metrics.observeCheckin('refused');
          logger.warn('check-in refused', { refusal, remoteAddress: request.remoteAddress });
          throw new HttpError({ status: 401, message: 'invalid check-in token' });
        }
        if (leaderElector && !leader.leader) {
          // A follower cannot write the check-in to the store; the agent retries (through a balancer, on the leader).
          throw new HttpError({ status: 503, message: 'this replica is a follower; send check-ins to the leader' });
        }
        const body = (request.body ?? {}) as { status?: unknown; status_message?: unknown; status_progress?: unknown };
        const status = typeof body.status === 'string' ? body.status : 'running';
        if (status === 'running') {
          try {
            await autoscaler.recordCheckin({ instanceId, at: nowMs });
          } catch (error) {
            logger.warn('check-in not recorded', { instanceId, error: (error as Error).message });
            throw new HttpError({ status: 503, message: 'check-in could not be recorded on this replica; retry' });
          }
        }
        metrics.observeCheckin('accepted');
        logger.info('check-in', {
          instanceId,
          status,
          ...(typeof body.status_message === 'string' ? { statusMessage: body.status_message.slice(0, 200) } : {}),
          ...(body.status_progress !== undefined ? { statusProgress: String(body.status_progress).slice(0, 10) } : {}),
        });
        return { status: 200, body: { status: 'ok' } };
      },
    },
  ];

  const api: HttpApi = createHttpApi({
    routes,
    logger,
    access: () => ({
      ...(loaded.apiToken ? { token: loaded.apiToken } : {}),
      publicReadOnly: loaded.settings.api.publicReadOnly,
    }),
  });
  let address: { host: string; port: number };
  try {
    address = await api.listen(parseListen(options.listen ?? loaded.settings.api.listen));
  } catch (error) {
    await store.close();
    throw new UsageError(
      `cannot listen on ${options.listen ?? loaded.settings.api.listen}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  logger.info('headroom run started', {
    holderId,
    api: `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`,
    store: store.kind,
    dryRun,
    intervalSeconds: loaded.settings.scaler.intervalSeconds,
    providers: Object.keys(providers),
    configs: listAutoscaleEntries(loaded.config).map(({ pool, autoscale }) => `${pool.id}/${autoscale.id}`),
  });
  await refreshStateMetrics(undefined);
  inventory.start();
  const loopDone = loop();

  let reloading: Promise<boolean> | undefined;
  const reload = async (): Promise<boolean> => {
    try {
      const next = await loadServiceConfig(configPath);
      logger.addSecrets(next.secrets);
      const unavailable: ConfigIssue[] = [];
      for (const [poolIndex, pool] of next.config.pools.entries()) {
        for (const [index, autoscale] of pool.autoscale.entries()) {
          const path = `pools[${poolIndex}].autoscale[${index}]`;
          if (!(autoscale.provider in providers)) {
            unavailable.push({
              path: `${path}.provider`,
              message: `provider "${autoscale.provider}" is new; adding providers needs a restart`,
            });
          }
          if (autoscale.dns && !(autoscale.dns.provider in dnsProviders)) {
            unavailable.push({
              path: `${path}.dns.provider`,
              message: `DNS provider "${autoscale.dns.provider}" is new; adding DNS providers needs a restart`,
            });
          }
        }
      }
      if (unavailable.length > 0) throw new ConfigError({ issues: unavailable, source: configPath });
      const restartNeeded: string[] = [];
      if (JSON.stringify(next.settings.state) !== JSON.stringify(loaded.settings.state)) restartNeeded.push('state');
      if (next.settings.api.listen !== loaded.settings.api.listen) restartNeeded.push('api.listen');
      if (JSON.stringify(next.config.providers) !== JSON.stringify(loaded.config.providers))
        restartNeeded.push('providers');
      if (JSON.stringify(next.config.dnsProviders) !== JSON.stringify(loaded.config.dnsProviders))
        restartNeeded.push('dnsProviders');
      if (next.settings.scaler.managedBy !== loaded.settings.scaler.managedBy) restartNeeded.push('scaler.managedBy');
      if (JSON.stringify(next.settings.scaler.orphans) !== JSON.stringify(loaded.settings.scaler.orphans))
        restartNeeded.push('scaler.orphans');
      if (next.settings.scaler.dryRun !== loaded.settings.scaler.dryRun) restartNeeded.push('scaler.dryRun');
      loaded = next;
      tokens = makeTokens(next);
      autoscaler.updateConfig(next.config);
      const poll = pollOf(next);
      inventory.update({ reportTimeoutSeconds: next.settings.scaler.reportTimeoutSeconds, ...(poll ? { poll } : {}) });
      logger.info('config reloaded', {
        configs: listAutoscaleEntries(next.config).map(({ pool, autoscale }) => `${pool.id}/${autoscale.id}`),
        ...(restartNeeded.length ? { takesEffectOnRestart: restartNeeded } : {}),
      });
      wake?.();
      return true;
    } catch (error) {
      const issues = ConfigError.isInstance(error) ? error.issues : undefined;
      logger.error('config reload refused; keeping the running config', {
        error: (error as Error).message,
        ...(issues ? { issues } : {}),
      });
      return false;
    }
  };
  const serialisedReload = () => {
    const previous = reloading ?? Promise.resolve(true);
    reloading = previous.then(reload, reload);
    return reloading;
  };

  let lastConfigChange = 0;
  watchFile(configPath, { interval: 500 }, (current, previous) => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return;
    if (current.mtimeMs === lastConfigChange) return;
    lastConfigChange = current.mtimeMs;
    logger.info('config file changed; reloading');
    void serialisedReload();
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down: no new actions, finishing the pass in flight');
      running = false;
      unwatchFile(configPath);
      inventory.stop();
      wake?.();
      await inFlight;
      await loopDone;
      await autoscaler.stop();
      await api.close();
      await store.close();
      for (const provider of Object.values(providers)) await provider.close?.();
      logger.info('stopped', { holderId });
    })();
    return stopping;
  };

  return { address, reload: serialisedReload, stop };
}
