import { instanceShape } from '../../config/config-views.js';
import type { Resources } from '../../model/resources.js';
import type { Intent } from '../../store/state-store.js';
import { deleteComputerRecord } from '../computer-records.js';
import { ledgerStateOf } from '../merge-snapshot.js';
import {
  entryOf,
  failTick,
  parseInstant,
  removeInstance,
  saveInstance,
  settleIntent,
  type TickContext,
} from '../tick-context.js';
import type { TickStep } from './tick-step.js';

/**
 * Resolve open intents (crash recovery). A destroy intent whose instance is gone and out of the
 * ledger is finished; other destroy intents are left to `verifyLedger` (`openDestroyByInstance`).
 * A create intent whose tag is found on a listed instance is adopted into the ledger; one with no
 * tagged instance stays pending (`openCreateKeys`) until `intentGraceSeconds`, then is failed and
 * its Active Directory computer record, if any, deleted.
 * Intents of a provider whose listing failed stay open.
 */
export const resolveOpenIntents: TickStep = {
  name: 'resolve-open-intents',
  async run(context) {
    for (const intent of context.openIntents) {
      if (intent.kind === 'destroy') await resolveDestroyIntent(context, intent);
      else await resolveCreateIntent(context, intent);
    }
    return undefined;
  },
};

async function resolveDestroyIntent(context: TickContext, intent: Intent): Promise<void> {
  const byId = context.listing.byId.get(intent.provider);
  const gone = byId !== undefined && (intent.providerInstanceId === undefined || !byId.has(intent.providerInstanceId));
  if (gone && !context.ledger.has(intent.instanceName)) {
    // Crash after the ledger entry was removed, before the intent was closed.
    await settleIntent(context, {
      intent,
      status: 'done',
      outcome: 'finished',
      reason: `${intent.instanceName} is gone and no longer in the ledger`,
    });
    return;
  }
  context.openDestroyByInstance.set(intent.instanceName, intent);
}

async function resolveCreateIntent(context: TickContext, intent: Intent): Promise<void> {
  const byIntent = context.listing.byIntent.get(intent.provider);
  if (!byIntent) {
    context.openCreateKeys.add(intent.key);
    return;
  }
  const found = byIntent.get(intent.key);
  const existing = context.ledger.get(intent.instanceName);
  if (found) {
    const autoscale = entryOf(context, intent.pool, intent.autoscale)?.autoscale;
    const shape: Resources =
      existing?.shape ?? found.shape ?? (autoscale ? instanceShape(autoscale) : { cores: 0, memoryMb: 0, gpus: 0 });
    await saveInstance(context, {
      ...(existing ?? {}),
      id: intent.instanceName,
      pool: intent.pool,
      autoscale: intent.autoscale,
      provider: intent.provider,
      providerInstanceId: found.instanceId,
      state: ledgerStateOf(found.state),
      shape,
      createdAt: existing?.createdAt ?? found.createdAt ?? intent.createdAt,
      intentKey: intent.key,
      ...(intent.serverId ? { serverId: intent.serverId } : {}),
      ...(intent.computerRecord ? { computerRecord: intent.computerRecord } : {}),
    });
    await settleIntent(context, {
      intent,
      status: 'done',
      outcome: 'adopted',
      providerInstanceId: found.instanceId,
      reason: `instance ${found.instanceId} carries the intent tag`,
    });
    return;
  }
  const ageMs = context.nowMs - (parseInstant(intent.createdAt) ?? context.nowMs);
  if (ageMs < context.runtime.intentGraceMs) {
    context.openCreateKeys.add(intent.key);
    return;
  }
  await settleIntent(context, {
    intent,
    status: 'failed',
    outcome: 'failed',
    detail: 'no instance carries the intent tag',
    reason: `no instance carries the intent tag ${Math.floor(ageMs / 1000)} s after the intent`,
  });
  if (existing && existing.providerInstanceId === undefined) await removeInstance(context, existing.id);
  // The instance never came to be: its computer record (and join password) must not outlive it.
  if (intent.computerRecord) {
    try {
      await deleteComputerRecord(context, intent.computerRecord);
    } catch (error) {
      failTick(context, `computer-record:${intent.instanceName}`, error);
    }
  }
}
