import type { ComputerRecordRef, Intent, LedgerInstance } from '../../../store/state-store.js';
import { nowIso, putIntent, saveInstance, type TickContext } from '../../tick-context.js';
import type { CreateAttempt } from './create-attempt.js';

/**
 * Writes the open create intent and the `requested` ledger entry, then emits
 * `instance-create-start`. Both carry the computer record when one is planned.
 */
export async function recordCreateIntent(
  context: TickContext,
  attempt: CreateAttempt,
  computerRecord: ComputerRecordRef | undefined,
): Promise<{ intent: Intent; requested: LedgerInstance }> {
  const { runtime } = context;
  const { pool, autoscale, providerId, name, key, serverId, connectionPassword } = attempt;
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
    detail: attempt.reason,
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
    shape: attempt.shape,
    createdAt,
    intentKey: key,
    serverId,
    ...(computerRecord ? { computerRecord } : {}),
    ...(connectionPassword !== undefined ? { connectionSecret: connectionPassword } : {}),
  };
  await saveInstance(context, requested);
  runtime.emit({ type: 'instance-create-start', at: runtime.clock.now(), ...attempt.ref });
  return { intent, requested };
}
