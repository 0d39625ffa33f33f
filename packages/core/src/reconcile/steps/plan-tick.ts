import { computeScalingPlan } from '../../planner/compute-scaling-plan.js';
import { mergeSnapshot } from '../merge-snapshot.js';
import type { TickStep } from './tick-step.js';

/**
 * Plan: `computeScalingPlan` on the merged snapshot (control plane, ledger, unknown instances,
 * pending check-ins), the stored planner state, the host's image pins and the demand profiles
 * (those `learnDemand` learnt from the store's history, the host's winning per key); the next
 * state is stored before acting.
 */
export const planTick: TickStep = {
  name: 'plan',
  async run(context) {
    const { runtime } = context;
    const snapshot = mergeSnapshot({
      inventory: context.inventory,
      ledger: context.ledger,
      unknown: context.unknown,
      checkins: runtime.pendingCheckins,
      nowMs: context.nowMs,
    });
    const imagePins = await runtime.options.imagePins?.();
    const hostProfiles = await runtime.options.demandProfiles?.({ nowMs: context.nowMs });
    const learnt = runtime.demandLearning.profiles;
    const demandProfiles = hostProfiles || Object.keys(learnt).length > 0 ? { ...learnt, ...hostProfiles } : undefined;
    const { plan, nextState } = computeScalingPlan({
      config: context.config,
      snapshot,
      state: await runtime.store.getPlannerState(),
      now: context.nowMs,
      ...(imagePins ? { imagePins } : {}),
      ...(demandProfiles ? { demandProfiles } : {}),
    });
    context.plan = plan;
    context.plannerState = nextState;
    await runtime.store.putPlannerState({ epoch: context.epoch, state: nextState });
    runtime.emit({ type: 'plan', at: runtime.clock.now(), plan });
    return undefined;
  },
};
