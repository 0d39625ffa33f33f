import { HEADROOM_TAGS } from '../../../provider/tags.js';
import { buildManagedTags } from '../../../provider/utils/managed-tags.js';
import type { ComputeProviderV1 } from '../../../provider/v1/compute-provider-v1.js';
import type { ProviderInstance } from '../../../provider/v1/provider-v1-instance.js';
import type { ComputerRecordRef, Intent } from '../../../store/state-store.js';
import { deleteComputerRecord } from '../../computer-records.js';
import { failTick, messageOf, nowIso, putIntent, removeInstance, type TickContext } from '../../tick-context.js';
import type { CreateAttempt } from './create-attempt.js';

/**
 * Asks the provider for the instance (tagged with the intent, idempotent by its key). On failure
 * the leftovers are cleaned up, the computer record deleted once the intent is settled, and the
 * failure reported; resolves undefined then.
 */
export async function createProviderInstance(
  context: TickContext,
  attempt: CreateAttempt,
  options: { intent: Intent; startupScript: string | undefined; computerRecord: ComputerRecordRef | undefined },
): Promise<ProviderInstance | undefined> {
  const { runtime } = context;
  const { intent, startupScript, computerRecord } = options;
  const { name, key, pool, autoscale } = attempt;
  const provider = runtime.providers.get(attempt.providerId)!;
  try {
    return await provider.createInstance({
      name,
      idempotencyKey: key,
      tags: buildManagedTags({ managedBy: runtime.managedBy, pool, autoscale, intentKey: key }),
      shape: attempt.shape,
      ...(startupScript !== undefined ? { startupScript } : {}),
    });
  } catch (error) {
    attempt.recordFailure(error);
    const { cleanedUp, settled } = await cleanUpFailedCreate(context, { provider, intent, error });
    // Only once no instance can carry the intent any more: one still listed would need its record.
    if (settled && computerRecord) {
      try {
        await deleteComputerRecord(context, computerRecord);
      } catch (deleteError) {
        failTick(context, `computer-record:${name}`, deleteError);
      }
    }
    attempt.emitFailure(error, cleanedUp);
    return undefined;
  }
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
