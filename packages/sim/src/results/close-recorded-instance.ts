import { instanceCost } from '../cloud-model.js';
import { spreadOverDays } from './calendar-days.js';
import type { DestroyReason } from './results-recorder.js';
import { measuredMs, type RecorderState } from './results-recorder-state.js';

/**
 * Bills an alive instance destroyed at `atMs` (its measured share into the totals, its whole cost
 * into the cost per day) and counts scale-downs, thrash, boot failures and check-in timeouts.
 * @throws Error when the instance was never created (a simulator bug).
 */
export function closeRecordedInstance(
  state: RecorderState,
  instanceId: string,
  atMs: number,
  reason: DestroyReason,
): void {
  const instance = state.alive.get(instanceId);
  if (!instance) throw new Error(`results: instance "${instanceId}" destroyed but never created`);
  state.alive.delete(instanceId);
  const { autoscale } = instance;
  const { totals } = state;
  const billed = instanceCost({
    createdAtMs: instance.createdAtMs,
    runningAtMs: instance.runningAtMs,
    destroyedAtMs: atMs,
    billing: autoscale.billing,
    pricePerInstanceHour: autoscale.pricePerInstanceHour,
  });
  const billingStartMs = autoscale.billing.bootTimeBilled ? instance.createdAtMs : (instance.runningAtMs ?? atMs);
  const billedMs = billed.billedSeconds * 1000;
  const share = billedMs > 0 ? measuredMs(state, billingStartMs, billingStartMs + billedMs) / billedMs : 0;
  totals.cost += billed.cost * share;
  totals.billedSeconds += billed.billedSeconds * share;
  totals.instanceMs += measuredMs(state, instance.createdAtMs, atMs);
  spreadOverDays({
    starts: state.days,
    totals: state.dayCost,
    fromMs: billingStartMs,
    toMs: billingStartMs + billed.billedSeconds * 1000,
    amount: billed.cost,
  });
  if (reason === 'scale-down') {
    totals.scaleDowns++;
    if (atMs - instance.createdAtMs < autoscale.downscaleBackoffSeconds * 1000) totals.thrash++;
  } else if (reason === 'boot-failure') {
    totals.bootFailures++;
  } else if (reason === 'checkin-timeout') {
    totals.checkinTimeouts++;
  }
}
