import {
  type Autoscaler,
  type AutoscalerOptions,
  type Clock,
  createAutoscaler,
  type LeaderElector,
  type StateStore,
  type TickResult,
} from '@headroom/core';
import type { FleetInventory } from './fleet-inventory.js';
import type { ImagePins } from './image-pins.js';
import type { JsonLogger } from './json-logger.js';
import { logEvent, logTick } from './run-service-logging.js';
import type { RunState } from './run-state.js';
import type { ServiceMetrics } from './service-metrics.js';
import { createStartupScriptValues } from './startup-script-values.js';
import type { TickHistory } from './tick-history.js';

/**
 * Creates the autoscaler of `headroom run` from the config in `state`; its events feed the metrics,
 * the tick history, the log and `state.leader`.
 */
export function createServiceAutoscaler(options: {
  state: RunState;
  store: StateStore;
  leaderElector: LeaderElector | undefined;
  providers: AutoscalerOptions['providers'];
  dnsProviders: NonNullable<AutoscalerOptions['dnsProviders']>;
  directories: NonNullable<AutoscalerOptions['directories']>;
  inventory: FleetInventory;
  imagePins: ImagePins;
  metrics: ServiceMetrics;
  history: TickHistory;
  clock: Clock;
  dryRun: boolean;
  holderId: string;
  logger: JsonLogger;
  configDirectory: string;
}): Autoscaler {
  const { state, leaderElector, clock, metrics, history, logger, holderId, imagePins } = options;
  const { loaded } = state;
  const onTick = (result: TickResult | undefined) => {
    if (!result) return;
    metrics.observeTick({ errors: result.errors.length, durationMs: result.durationMs });
    history.record(result);
    logTick(logger, result);
  };
  const autoscaler = createAutoscaler({
    config: loaded.config,
    store: options.store,
    ...(leaderElector ? { leaderElector } : {}),
    providers: options.providers,
    dnsProviders: options.dnsProviders,
    directories: options.directories,
    inventory: options.inventory,
    clock,
    dryRun: options.dryRun,
    intentGraceSeconds: loaded.settings.scaler.intentGraceSeconds,
    managedBy: loaded.settings.scaler.managedBy,
    orphans: loaded.settings.scaler.orphans,
    startupScriptValues: createStartupScriptValues({ state, clock, configDirectory: options.configDirectory }),
    imagePins: () => imagePins.current(),
    onEvent: (event) => {
      metrics.observeEvent(event);
      // The result is recorded right after the event; the microtask reads it.
      if (event.type === 'tick-end') queueMicrotask(() => onTick(autoscaler.lastTick()));
      if (event.type !== 'leadership-change') return logEvent(logger, event);
      state.leader = event.leader;
      logger.info(event.leader ? 'became leader' : 'not leader', {
        holderId,
        epoch: event.epoch,
        leaderHolderId: event.holderId,
      });
    },
  });
  return autoscaler;
}
