import type { LedgerInstance } from '../../store/state-store.js';
import { deleteDnsOf, dnsTargetOfEntry } from '../dns-records.js';
import { ledgerStateOf } from '../merge-snapshot.js';
import { addressOf, failTick, removeInstance, saveInstance, settleIntent, type TickContext } from '../tick-context.js';
import type { TickStep } from './tick-step.js';

/**
 * Verify the ledger against the listing (providers whose listing failed are skipped):
 * - an entry without a provider instance id whose create intent is no longer open is removed;
 * - an entry whose instance is gone leaves the ledger with its DNS record (its open destroy intent
 *   is finished);
 * - an instance the provider reports `stopping` is `destroying`;
 * - a `destroying` entry whose instance is still there is queued to finish the destroy (recovery);
 * - a destroy intent interrupted before the provider call is failed (the planner decides again);
 * - otherwise the state follows the provider (except `draining`) and the address goes to `registerDns`.
 */
export const verifyLedger: TickStep = {
  name: 'verify-ledger',
  async run(context) {
    if (!context.fullVerification) return undefined;
    for (const entry of [...context.ledger.values()]) {
      if (!context.listing.byProvider.has(entry.provider)) continue;
      await verifyEntry(context, entry);
    }
    return undefined;
  },
};

async function verifyEntry(context: TickContext, entry: LedgerInstance): Promise<void> {
  if (entry.providerInstanceId === undefined) {
    if (!context.openCreateKeys.has(entry.intentKey)) await removeInstance(context, entry.id);
    return;
  }
  const found = context.listing.byId.get(entry.provider)?.get(entry.providerInstanceId);
  if (!found) {
    await forgetGoneInstance(context, entry);
    return;
  }
  if (found.state === 'stopping') {
    if (entry.state !== 'destroying') await saveInstance(context, { ...entry, state: 'destroying' });
    return;
  }
  if (entry.state === 'destroying') {
    context.destroyQueue.push({
      entry,
      cause: 'recovery',
      reason: `finishing the interrupted destroy of ${entry.id}`,
      restoreState: ledgerStateOf(found.state),
    });
    return;
  }
  const notStarted = context.openDestroyByInstance.get(entry.id);
  if (notStarted) {
    // Crash between the destroy intent and the `destroying` ledger write: nothing was called.
    context.openDestroyByInstance.delete(entry.id);
    await settleIntent(context, {
      intent: notStarted,
      status: 'failed',
      outcome: 'failed',
      detail: 'interrupted before the provider call',
      reason: `the destroy of ${entry.id} was interrupted before the provider call; the planner decides again`,
    });
  }
  const state = ledgerStateOf(found.state);
  if (state !== entry.state && entry.state !== 'draining') await saveInstance(context, { ...entry, state });
  const address = addressOf(found);
  if (address !== undefined && dnsTargetOfEntry(context, entry)) context.addresses.set(entry.id, address);
}

async function forgetGoneInstance(context: TickContext, entry: LedgerInstance): Promise<void> {
  try {
    await deleteDnsOf(context, entry, `${entry.id} is gone from provider ${entry.provider}`);
  } catch (error) {
    failTick(context, `dns:${entry.id}`, error);
    return;
  }
  await removeInstance(context, entry.id);
  const destroyIntent = context.openDestroyByInstance.get(entry.id);
  if (!destroyIntent) return;
  context.openDestroyByInstance.delete(entry.id);
  await settleIntent(context, {
    intent: destroyIntent,
    status: 'done',
    outcome: 'finished',
    reason: `${entry.id} is gone from provider ${entry.provider}`,
  });
}
