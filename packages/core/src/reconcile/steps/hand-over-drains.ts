import type { TickStep } from './tick-step.js';

/**
 * Hand over drains: the plan's `drain` and `undrain` actions of instances in the ledger go to the
 * control plane, which places no new sessions on a draining instance (and reports it `draining`).
 * They are returned in `TickResult.actions.drained|undrained` and emitted as `instance-drain` and
 * `instance-undrain` events; the reconciler calls no provider for them. Actions for instances the
 * ledger does not know are dropped (the planner only sees them through an untrusted snapshot).
 */
export const handOverDrains: TickStep = {
  name: 'hand-over-drains',
  async run(context) {
    for (const configPlan of context.plan?.configs ?? []) {
      for (const action of configPlan.actions) {
        if (action.type !== 'drain' && action.type !== 'undrain') continue;
        if (!context.ledger.has(action.instanceId)) continue;
        const handed = { id: action.instanceId, reason: action.reason };
        if (action.type === 'drain') context.actions.drained.push(handed);
        else context.actions.undrained.push(handed);
        context.runtime.emit({
          type: action.type === 'drain' ? 'instance-drain' : 'instance-undrain',
          at: context.runtime.clock.now(),
          instanceId: action.instanceId,
          pool: action.pool,
          autoscale: action.autoscale,
          provider: action.provider,
          reason: action.reason,
        });
      }
    }
    return undefined;
  },
};
