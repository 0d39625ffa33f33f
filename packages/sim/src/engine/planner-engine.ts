import {
  autoscaleKey,
  computeScalingPlan,
  emptyPlannerState,
  type HeadroomConfig,
  instanceShape,
  type PlannerState,
} from '@headroom/core';
import { buildSnapshot } from './fleet-snapshot.js';
import { destroyInstance, destroyReasonOf, drawBoot, launchInstance, setDraining } from './instance-lifecycle.js';
import type { SimulationContext } from './simulation-context.js';
import type { SimulationEngine, TickOutcome } from './simulation-engine.js';

/**
 * Engine `planner`: `computeScalingPlan` applied directly to the simulated fleet, without
 * reconciler, store or providers. New instances are named `<pool>.<autoscale>.<n>`.
 */
export function createPlannerEngine(options: { context: SimulationContext; config: HeadroomConfig }): SimulationEngine {
  const { context, config } = options;
  let plannerState: PlannerState = emptyPlannerState();
  return {
    tick(atMs: number): TickOutcome {
      const { plan, nextState } = computeScalingPlan({
        config,
        snapshot: buildSnapshot(context.fleet, atMs),
        state: plannerState,
        now: atMs,
      });
      let acted = false;
      for (const configPlan of plan.configs) {
        const runtime = context.fleet.runtimeByKey.get(autoscaleKey(configPlan.pool, configPlan.autoscale))!;
        for (const action of configPlan.actions) {
          acted = true;
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
      }
      plannerState = nextState;
      return { nextState, acted };
    },
  };
}
