import type { Autoscaler, Clock, LeaderElector, StateStore } from '@headroom/core';
import type { FleetInventory } from './fleet-inventory.js';
import type { ImagePins } from './image-pins.js';
import type { JsonLogger } from './json-logger.js';
import type { RunState } from './run-state.js';
import type { ServiceContext } from './service-context.js';
import type { ServiceMetrics } from './service-metrics.js';
import type { TickHistory } from './tick-history.js';

/** The context the routes share; config, tokens and leadership are read from `state` at request time. */
export function createServiceContext(options: {
  state: RunState;
  holderId: string;
  dryRun: boolean;
  clock: Clock;
  logger: JsonLogger;
  store: StateStore;
  leaderElector: LeaderElector | undefined;
  inventory: FleetInventory;
  metrics: ServiceMetrics;
  autoscaler: Autoscaler;
  history: TickHistory;
  configDirectory: string;
  imagePins: ImagePins;
}): ServiceContext {
  const { state, holderId, clock, logger, store, leaderElector, metrics, autoscaler, history } = options;
  return {
    holderId,
    dryRun: options.dryRun,
    clock,
    logger,
    store,
    leaderElector,
    inventory: options.inventory,
    metrics,
    autoscaler,
    history,
    configDirectory: options.configDirectory,
    imagePins: options.imagePins,
    config: () => state.loaded,
    tokens: () => state.tokens,
    isLeader: () => state.leader,
    currentLeader: async () => {
      if (!leaderElector) return { holderId, epoch: autoscaler.lastTick()?.epoch ?? 1 };
      return leaderElector.currentLeader().catch(() => null);
    },
    refreshStateMetrics: async () => {
      try {
        const [ledger, plannerState] = await Promise.all([store.listInstances(), store.getPlannerState()]);
        const plans = autoscaler.lastTick()?.plan?.configs;
        const nowMs = clock.now();
        metrics.observeState({ config: state.loaded.config, ledger, plannerState, nowMs, ...(plans ? { plans } : {}) });
        metrics.setLastSuccessfulTick(history.lastSuccessMs);
      } catch (error) {
        logger.warn('cannot read the store for metrics', { error });
      }
    },
  };
}
