import {
  autoscaleKey,
  type ConfigPlan,
  computeScalingPlan,
  emptyPlannerState,
  type HeadroomConfig,
  instanceShape,
  type PlannerState,
} from '@headroom/core';
import { buildSnapshot } from './fleet-snapshot.js';
import { destroyInstance, destroyReasonOf, drawBoot, launchInstance, setDraining } from './instance-lifecycle.js';
import { type DemandProfileSource, demandProfilesAt } from './predictive-standby.js';
import type { SimulationContext } from './simulation-context.js';
import type { SimulationEngine, TickOutcome } from './simulation-engine.js';

/** Applies one config's planned actions to the simulated fleet; returns whether it had any. */
function applyConfigPlan(context: SimulationContext, configPlan: ConfigPlan, atMs: number): boolean {
  const runtime = context.fleet.runtimeByKey.get(autoscaleKey(configPlan.pool, configPlan.autoscale))!;
  runtime.predictedStandby = configPlan.predictedStandby;
  for (const action of configPlan.actions) {
    if (action.type === 'create') {
      for (let index = 0; index < action.count; index++) {
        launchInstance(context, {
          runtime,
          id: `${runtime.entry.pool.id}.${runtime.entry.autoscale.id}.${runtime.created + 1}`,
          shape: action.shape ?? instanceShape(runtime.entry.autoscale),
          atMs,
          draw: drawBoot(context.random, runtime.model),
        });
      }
    } else {
      const instance = context.fleet.instancesById.get(action.instanceId);
      if (!instance) continue;
      if (action.type === 'destroy')
        destroyInstance(context, { instance, atMs, reason: destroyReasonOf(action.cause) });
      else setDraining(context, { instance, draining: action.type === 'drain', atMs });
    }
  }
  return configPlan.actions.length > 0;
}

/**
 * Engine `planner`: `computeScalingPlan` applied directly to the simulated fleet, without
 * reconciler, store or providers, with the demand profiles of `demandProfiles` (trace-learnt, and
 * learnt online from the snapshots it plans on). New instances are named `<pool>.<autoscale>.<n>`.
 */
export function createPlannerEngine(options: {
  context: SimulationContext;
  config: HeadroomConfig;
  demandProfiles: DemandProfileSource;
}): SimulationEngine {
  const { context, config } = options;
  let plannerState: PlannerState = emptyPlannerState();
  return {
    tick(atMs: number): TickOutcome {
      const snapshot = buildSnapshot(context.fleet, atMs);
      const { plan, nextState } = computeScalingPlan({
        config,
        snapshot,
        state: plannerState,
        now: atMs,
        demandProfiles: demandProfilesAt(options.demandProfiles, snapshot, atMs),
      });
      let acted = false;
      for (const configPlan of plan.configs) acted = applyConfigPlan(context, configPlan, atMs) || acted;
      plannerState = nextState;
      return { nextState, acted };
    },
  };
}
