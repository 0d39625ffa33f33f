import { recordCreateFailure } from '../../planner/failure-backoff.js';
import { runPool } from '../run-pool.js';
import { entryOf } from '../tick-context.js';
import { type CreateJob, createInstance } from './create-instance/create-instance.js';
import type { TickStep } from './tick-step.js';

/**
 * Creates, each behind an intent and a `requested` ledger entry (only on providers listed this
 * tick). The first failure of a config stops its other creates this tick and is recorded once in
 * the planner state's failure backoff, so a failing config is never retried in a tight loop.
 */
export const runCreates: TickStep = {
  name: 'run-creates',
  async run(context) {
    const { runtime } = context;
    const jobs: CreateJob[] = [];
    for (const configPlan of context.plan?.configs ?? []) {
      for (const action of configPlan.actions) {
        if (action.type !== 'create') continue;
        const entry = entryOf(context, action.pool, action.autoscale);
        if (!entry || !context.listing.byProvider.has(action.provider) || !runtime.providers.has(action.provider))
          continue;
        for (let index = 0; index < action.count; index++)
          jobs.push({ entry, shape: action.shape, reason: action.reason });
      }
    }
    const failedConfigs = new Set<string>();
    await runPool({
      items: jobs,
      concurrency: runtime.rateLimit.concurrency * Math.max(1, runtime.providers.size),
      worker: async (job) => {
        const key = `${job.entry.pool.id}/${job.entry.autoscale.id}`;
        if (failedConfigs.has(key) || runtime.stopped) return;
        const failed = await createInstance(context, job);
        if (!failed || failedConfigs.has(key) || !context.plannerState) return;
        // One failure per config and tick: creates that ran in parallel failed for the same cause.
        failedConfigs.add(key);
        context.plannerState = recordCreateFailure(context.plannerState, {
          pool: job.entry.pool.id,
          autoscale: job.entry.autoscale.id,
          atMs: runtime.clock.now(),
        });
      },
    });
    if (failedConfigs.size > 0 && context.plannerState)
      await runtime.store.putPlannerState({ epoch: context.epoch, state: context.plannerState });
    return undefined;
  },
};
