import type { ProviderInstance } from '../../../provider/v1/provider-v1-instance.js';
import type { Intent, LedgerInstance } from '../../../store/state-store.js';
import { registerDnsOf } from '../../dns-records.js';
import { ledgerStateOf } from '../../merge-snapshot.js';
import { addressOf, failTick, nowIso, putIntent, saveInstance, type TickContext } from '../../tick-context.js';
import type { CreateAttempt } from './create-attempt.js';

/**
 * After the provider created the instance: saves it in the ledger, closes the intent, emits
 * `instance-create-end` and registers its DNS record (a DNS failure only fails the tick).
 */
export async function finishCreate(
  context: TickContext,
  attempt: CreateAttempt,
  options: { instance: ProviderInstance; intent: Intent; requested: LedgerInstance },
): Promise<void> {
  const { runtime } = context;
  const { instance, intent, requested } = options;
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
  context.actions.created.push(attempt.name);
  runtime.emit({
    type: 'instance-create-end',
    at: runtime.clock.now(),
    ...attempt.ref,
    providerInstanceId: instance.instanceId,
  });
  try {
    await registerDnsOf(context, created, addressOf(instance));
  } catch (error) {
    failTick(context, `dns:${attempt.name}`, error);
  }
}
