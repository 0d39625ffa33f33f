import type { AutoscaleEntry } from '../../config/config-views.js';
import { computerNameFor } from '../../directory/computer-name.js';
import type { Resources } from '../../model/resources.js';
import { recordCreateFailure } from '../../planner/failure-backoff.js';
import { HEADROOM_TAGS } from '../../provider/tags.js';
import { buildManagedTags } from '../../provider/utils/managed-tags.js';
import type { ComputeProviderV1 } from '../../provider/v1/compute-provider-v1.js';
import type { ProviderInstance } from '../../provider/v1/provider-v1-instance.js';
import { serverIdFor } from '../../startup-script/server-id.js';
import type { ComputerRecordRef, Intent, LedgerInstance } from '../../store/state-store.js';
import { computerRecordTargetOf, deleteComputerRecord } from '../computer-records.js';
import { registerDnsOf } from '../dns-records.js';
import { createIntentKey, instanceNameFor } from '../instance-naming.js';
import { ledgerStateOf } from '../merge-snapshot.js';
import { runPool } from '../run-pool.js';
import {
  addressOf,
  entryOf,
  failTick,
  messageOf,
  nowIso,
  putIntent,
  removeInstance,
  saveInstance,
  type TickContext,
} from '../tick-context.js';
import { errorClassOf } from '../with-events.js';
import { renderStartupScriptFor } from './render-startup-script.js';
import type { TickStep } from './tick-step.js';

interface CreateJob {
  entry: AutoscaleEntry;
  shape: Resources;
  reason: string;
}

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

/** Creates one instance; resolves true when the create failed (and was cleaned up). */
async function createInstance(context: TickContext, job: CreateJob): Promise<boolean> {
  const { runtime } = context;
  const { entry, shape, reason } = job;
  const pool = entry.pool.id;
  const autoscale = entry.autoscale.id;
  const providerId = entry.autoscale.provider;
  runtime.intentSequence += 1;
  const key = createIntentKey({
    managedBy: runtime.managedBy,
    pool,
    autoscale,
    nowMs: runtime.clock.now(),
    sequence: runtime.intentSequence,
    random: runtime.random,
  });
  const name = instanceNameFor({ pool, autoscale, intentKey: key });
  const ref = { instanceId: name, pool, autoscale, provider: providerId, intentKey: key, reason };
  const recordFailure = (error: unknown) => {
    context.actions.createFailed += 1;
    failTick(context, `create:${name}`, error);
  };
  const emitFailure = (error: unknown, cleanedUp: number) => {
    runtime.emit({
      type: 'instance-create-error',
      at: runtime.clock.now(),
      ...ref,
      errorClass: errorClassOf(error),
      message: messageOf(error),
      cleanedUp,
    });
  };

  const serverId = serverIdFor({ intentKey: key });
  const connectionPassword =
    entry.kind === 'server' && entry.autoscale.connection.generatePassword ? runtime.generateJoinPassword() : undefined;
  let startupScript: string | undefined;
  let record: (ComputerRecordRef & { joinPassword: string; ouDn: string }) | undefined;
  try {
    const target = computerRecordTargetOf(context, entry);
    if (target) {
      const computerName = computerNameFor({ pool, intentKey: key });
      const dn = `CN=${computerName},${target.ouDn}`;
      record = {
        ldapConfig: target.ldapConfig,
        dn,
        computerName,
        ouDn: target.ouDn,
        joinPassword: runtime.generateJoinPassword(),
      };
    }
    startupScript = await renderStartupScriptFor(context, {
      entry,
      name,
      serverId,
      ...(connectionPassword !== undefined ? { connectionPassword } : {}),
      ...(record ? { computerRecord: { computerName: record.computerName, joinPassword: record.joinPassword } } : {}),
    });
  } catch (error) {
    recordFailure(error);
    emitFailure(error, 0);
    return true;
  }
  const computerRecord: ComputerRecordRef | undefined = record
    ? { ldapConfig: record.ldapConfig, dn: record.dn, computerName: record.computerName }
    : undefined;

  const createdAt = nowIso(context);
  const intent: Intent = {
    key,
    kind: 'create',
    pool,
    autoscale,
    provider: providerId,
    instanceName: name,
    status: 'open',
    attempts: 1,
    createdAt,
    updatedAt: createdAt,
    detail: reason,
    serverId,
    ...(computerRecord ? { computerRecord } : {}),
  };
  await putIntent(context, intent);
  const requested: LedgerInstance = {
    id: name,
    pool,
    autoscale,
    provider: providerId,
    state: 'requested',
    shape,
    createdAt,
    intentKey: key,
    serverId,
    ...(computerRecord ? { computerRecord } : {}),
    ...(connectionPassword !== undefined ? { connectionSecret: connectionPassword } : {}),
  };
  await saveInstance(context, requested);
  runtime.emit({ type: 'instance-create-start', at: runtime.clock.now(), ...ref });

  if (record) {
    try {
      await runtime.directories.get(record.ldapConfig)!.createComputerRecord({
        ouDn: record.ouDn,
        computerName: record.computerName,
        instanceName: name,
        intentKey: key,
        managedBy: runtime.managedBy,
        joinPassword: record.joinPassword,
      });
      context.actions.computerRecordsCreated.push(record.dn);
    } catch (error) {
      recordFailure(error);
      await putIntent(context, {
        ...intent,
        status: 'failed',
        updatedAt: nowIso(context),
        detail: `computer record: ${messageOf(error)}`,
      });
      await removeInstance(context, name);
      emitFailure(error, 0);
      return true;
    }
  }

  const provider = runtime.providers.get(providerId)!;
  let instance: ProviderInstance;
  try {
    instance = await provider.createInstance({
      name,
      idempotencyKey: key,
      tags: buildManagedTags({ managedBy: runtime.managedBy, pool, autoscale, intentKey: key }),
      shape,
      ...(startupScript !== undefined ? { startupScript } : {}),
    });
  } catch (error) {
    recordFailure(error);
    const { cleanedUp, settled } = await cleanUpFailedCreate(context, { provider, intent, error });
    // Only once no instance can carry the intent any more: one still listed would need its record.
    if (settled && computerRecord) {
      try {
        await deleteComputerRecord(context, computerRecord);
      } catch (deleteError) {
        failTick(context, `computer-record:${name}`, deleteError);
      }
    }
    emitFailure(error, cleanedUp);
    return true;
  }

  const created: LedgerInstance = {
    ...requested,
    providerInstanceId: instance.instanceId,
    state: ledgerStateOf(instance.state),
  };
  await saveInstance(context, created);
  await putIntent(context, {
    ...intent,
    status: 'done',
    providerInstanceId: instance.instanceId,
    updatedAt: nowIso(context),
  });
  context.actions.created.push(name);
  runtime.emit({
    type: 'instance-create-end',
    at: runtime.clock.now(),
    ...ref,
    providerInstanceId: instance.instanceId,
  });
  try {
    await registerDnsOf(context, created, addressOf(instance));
  } catch (error) {
    failTick(context, `dns:${name}`, error);
  }
  return false;
}

/**
 * After a failed create: destroys instances carrying the intent's tag, then fails the intent and
 * drops the `requested` entry. When cleanup fails the intent stays open and the entry stays
 * (pending capacity): later ticks resolve it by its tag. Resolves to the number destroyed and
 * whether the intent was settled.
 */
async function cleanUpFailedCreate(
  context: TickContext,
  failure: { provider: ComputeProviderV1; intent: Intent; error: unknown },
): Promise<{ cleanedUp: number; settled: boolean }> {
  const { provider, intent, error } = failure;
  let cleanedUp = 0;
  try {
    const leftovers = await provider.listInstances({ tags: { [HEADROOM_TAGS.intent]: intent.key } });
    for (const leftover of leftovers) {
      await provider.destroyInstance({ instanceId: leftover.instanceId });
      cleanedUp += 1;
    }
  } catch (cleanupError) {
    failTick(context, `cleanup:${intent.instanceName}`, cleanupError);
    await putIntent(context, {
      ...intent,
      updatedAt: nowIso(context),
      detail: `create failed: ${messageOf(error)}; cleanup pending`,
    });
    return { cleanedUp, settled: false };
  }
  await putIntent(context, {
    ...intent,
    status: 'failed',
    updatedAt: nowIso(context),
    detail: `create failed: ${messageOf(error)}`,
  });
  await removeInstance(context, intent.instanceName);
  return { cleanedUp, settled: true };
}
