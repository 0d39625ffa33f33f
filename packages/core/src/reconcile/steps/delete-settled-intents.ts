import { FencedWriteError } from '../../errors/fenced-write-error.js';
import { failTick } from '../tick-context.js';
import type { TickStep } from './tick-step.js';

const INTENT_DELETE_INTERVAL_MS = 3_600_000;

/**
 * Forget settled intents past `intentRetentionSeconds`, at most once an hour of clock time, so the
 * store does not grow with every action. Open intents are never deleted.
 */
export const deleteSettledIntents: TickStep = {
  name: 'delete-settled-intents',
  async run(context) {
    const { runtime, nowMs } = context;
    if (runtime.intentsDeletedAtMs !== undefined && nowMs - runtime.intentsDeletedAtMs < INTENT_DELETE_INTERVAL_MS)
      return undefined;
    runtime.intentsDeletedAtMs = nowMs;
    try {
      context.actions.intentsDeleted += await runtime.store.deleteSettledIntents({
        epoch: context.epoch,
        createdBefore: new Date(nowMs - runtime.intentRetentionMs).toISOString(),
      });
    } catch (error) {
      if (FencedWriteError.isInstance(error)) throw error;
      failTick(context, 'store:intents', error);
    }
    return undefined;
  },
};
