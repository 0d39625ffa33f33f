import type { FleetSnapshot } from '../../model/instance.js';
import { HEADROOM_TAGS } from '../../provider/tags.js';
import type { Intent } from '../../store/state-store.js';
import { deleteComputerRecord } from '../computer-records.js';
import { deleteDnsOf, deleteDnsRecord, recordTypeOf } from '../dns-records.js';
import type { UnknownProviderInstance } from '../merge-snapshot.js';
import { runPool } from '../run-pool.js';
import {
  addressOf,
  type DestroyJob,
  dnsTargetOf,
  entryOf,
  failTick,
  messageOf,
  nowIso,
  putIntent,
  removeInstance,
  saveInstance,
  settleIntent,
  type TickContext,
} from '../tick-context.js';
import { errorClassOf } from '../with-events.js';
import type { TickStep } from './tick-step.js';

/**
 * Destroys, before creates (they free capacity): the plan's destroys, recovery destroys queued by
 * `verifyLedger` and orphans queued by `collectOrphans`. A fresh snapshot is taken first; an
 * instance with sessions in either snapshot is never destroyed (an interrupted destroy of one is
 * cancelled and the instance returns to service). Nothing is destroyed when the fresh snapshot fails.
 */
export const runDestroys: TickStep = {
  name: 'run-destroys',
  async run(context) {
    queuePlannedDestroys(context);
    if (context.destroyQueue.length === 0 && context.orphanDestroys.length === 0) return undefined;
    let fresh: FleetSnapshot;
    try {
      fresh = await context.runtime.options.inventory.getSnapshot({ now: context.runtime.clock.now() });
    } catch (error) {
      failTick(context, 'inventory', error);
      return undefined;
    }
    const sessions = sessionCounts([context.inventory, fresh]);
    const sessionsOf = (id: string) => sessions.get(id) ?? 0;
    const { rateLimit, providers } = context.runtime;
    const concurrency = rateLimit.concurrency * Math.max(1, providers.size);
    await runPool({
      items: context.destroyQueue,
      concurrency,
      worker: async (job) => {
        const count = sessionsOf(job.entry.id);
        if (count > 0) await skipBusyInstance(context, job, count);
        else await destroyLedgerInstance(context, job);
      },
    });
    await runPool({
      items: context.orphanDestroys,
      concurrency,
      worker: async (orphan) => {
        if (sessionsOf(orphan.instance.name) > 0 || sessionsOf(orphan.instance.instanceId) > 0) return;
        await destroyOrphan(context, orphan);
      },
    });
    return undefined;
  },
};

function queuePlannedDestroys(context: TickContext): void {
  for (const configPlan of context.plan?.configs ?? []) {
    for (const action of configPlan.actions) {
      if (action.type !== 'destroy') continue;
      const entry = context.ledger.get(action.instanceId);
      if (!entry || entry.providerInstanceId === undefined) {
        context.actions.destroySkipped.push({
          id: action.instanceId,
          reason: 'not in the ledger with a provider instance id',
        });
        context.runtime.emit({
          type: 'instance-destroy-skipped',
          at: context.runtime.clock.now(),
          instanceId: action.instanceId,
          pool: action.pool,
          autoscale: action.autoscale,
          provider: action.provider,
          reason: `planned (${action.cause}) but not in the ledger with a provider instance id`,
        });
        continue;
      }
      if (!context.listing.byProvider.has(entry.provider)) continue;
      context.destroyQueue.push({ entry, cause: action.cause, reason: action.reason });
    }
  }
}

/** The highest session count of each instance id over the snapshots. */
function sessionCounts(snapshots: readonly FleetSnapshot[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const snapshot of snapshots) {
    for (const instance of snapshot.instances) {
      const count = instance.sessions.length;
      if (count > (counts.get(instance.id) ?? 0)) counts.set(instance.id, count);
    }
  }
  return counts;
}

async function skipBusyInstance(context: TickContext, job: DestroyJob, sessions: number): Promise<void> {
  const { entry, reason, restoreState } = job;
  context.actions.destroySkipped.push({ id: entry.id, reason: `${sessions} session(s)` });
  if (restoreState !== undefined) {
    // The control plane placed sessions on it after the interrupted destroy: back in service.
    await saveInstance(context, { ...entry, state: restoreState });
    const interrupted = context.openDestroyByInstance.get(entry.id);
    if (interrupted) {
      await settleIntent(context, {
        intent: interrupted,
        status: 'failed',
        outcome: 'failed',
        detail: `cancelled: ${sessions} session(s)`,
        reason: `destroy cancelled: ${entry.id} has ${sessions} session(s)`,
      });
    }
  }
  context.runtime.emit({
    type: 'instance-destroy-skipped',
    at: context.runtime.clock.now(),
    instanceId: entry.id,
    pool: entry.pool,
    autoscale: entry.autoscale,
    provider: entry.provider,
    reason: `has ${sessions} session(s); planned: ${reason}`,
  });
}

/**
 * Intent, `destroying`, provider call, DNS record, computer record, ledger removal, intent closed:
 * in that order. A computer record that fails to delete is collected later (`collectComputerRecords`).
 */
async function destroyLedgerInstance(context: TickContext, job: DestroyJob): Promise<void> {
  const { entry, cause, reason } = job;
  const { runtime } = context;
  const providerInstanceId = entry.providerInstanceId!;
  const ref = { instanceId: entry.id, pool: entry.pool, autoscale: entry.autoscale, provider: entry.provider };
  const existing = context.openDestroyByInstance.get(entry.id);
  const intent: Intent = existing
    ? { ...existing, attempts: existing.attempts + 1, updatedAt: nowIso(context) }
    : {
        key: `destroy-${entry.id}`,
        kind: 'destroy',
        pool: entry.pool,
        autoscale: entry.autoscale,
        provider: entry.provider,
        instanceName: entry.id,
        providerInstanceId,
        status: 'open',
        attempts: 1,
        createdAt: nowIso(context),
        updatedAt: nowIso(context),
        detail: reason,
      };
  await putIntent(context, intent);
  if (entry.state !== 'destroying') await saveInstance(context, { ...entry, state: 'destroying' });
  runtime.emit({ type: 'instance-destroy-start', at: runtime.clock.now(), ...ref, providerInstanceId, cause, reason });
  try {
    await runtime.providers.get(entry.provider)!.destroyInstance({ instanceId: providerInstanceId });
  } catch (error) {
    context.actions.destroyFailed += 1;
    failTick(context, `destroy:${entry.id}`, error);
    await putIntent(context, {
      ...intent,
      updatedAt: nowIso(context),
      detail: `${reason}; last error: ${messageOf(error)}`,
    });
    runtime.emit({
      type: 'instance-destroy-error',
      at: runtime.clock.now(),
      ...ref,
      providerInstanceId,
      cause,
      reason,
      errorClass: errorClassOf(error),
      message: messageOf(error),
    });
    return;
  }
  try {
    await deleteDnsOf(context, entry, `${entry.id} destroyed`);
  } catch (error) {
    // The ledger keeps the instance as `destroying`; the next tick deletes the record once the instance is gone.
    failTick(context, `dns:${entry.id}`, error);
    return;
  }
  if (entry.computerRecord) {
    try {
      await deleteComputerRecord(context, entry.computerRecord);
    } catch (error) {
      failTick(context, `computer-record:${entry.id}`, error);
    }
  }
  await removeInstance(context, entry.id);
  await putIntent(context, { ...intent, status: 'done', updatedAt: nowIso(context) });
  context.actions.destroyed.push({ id: entry.id, cause });
  runtime.emit({ type: 'instance-destroy-end', at: runtime.clock.now(), ...ref, providerInstanceId, cause, reason });
}

async function destroyOrphan(context: TickContext, { provider, instance }: UnknownProviderInstance): Promise<void> {
  const { runtime } = context;
  const reason = `orphan: carries ${HEADROOM_TAGS.managedBy}=${runtime.managedBy} but is unknown to the state store`;
  try {
    await runtime.providers.get(provider)!.destroyInstance({ instanceId: instance.instanceId });
  } catch (error) {
    failTick(context, `destroy:${instance.instanceId}`, error);
    return;
  }
  context.actions.orphansDestroyed.push(instance.instanceId);
  context.actions.destroyed.push({ id: instance.name, cause: 'orphan' });
  runtime.emit({
    type: 'orphan-destroyed',
    at: runtime.clock.now(),
    provider,
    providerInstanceId: instance.instanceId,
    name: instance.name,
    reason,
  });
  const pool = instance.tags[HEADROOM_TAGS.pool];
  const autoscale = instance.tags[HEADROOM_TAGS.autoscale];
  const autoscaleConfig = pool && autoscale ? entryOf(context, pool, autoscale)?.autoscale : undefined;
  const target = autoscaleConfig ? dnsTargetOf(context, autoscaleConfig) : undefined;
  const address = addressOf(instance);
  if (!target || !address) return;
  try {
    await deleteDnsRecord(context, {
      target,
      name: `${instance.name}.${target.baseDomain}`,
      type: recordTypeOf(address),
      reason,
    });
  } catch (error) {
    failTick(context, `dns:${instance.name}`, error);
  }
}
