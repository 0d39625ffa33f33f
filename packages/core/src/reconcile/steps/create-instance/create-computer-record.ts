import type { Intent } from '../../../store/state-store.js';
import { messageOf, nowIso, putIntent, removeInstance, type TickContext } from '../../tick-context.js';
import type { CreateAttempt } from './create-attempt.js';
import type { PlannedComputerRecord } from './prepare-create-inputs.js';

/**
 * Creates the planned computer record in its directory. On failure the intent fails, the
 * `requested` entry is dropped and the failure reported; resolves true when it failed.
 */
export async function createComputerRecordFor(
  context: TickContext,
  attempt: CreateAttempt,
  options: { record: PlannedComputerRecord; intent: Intent },
): Promise<boolean> {
  const { runtime } = context;
  const { record, intent } = options;
  try {
    await runtime.directories.get(record.ldapConfig)!.createComputerRecord({
      ouDn: record.ouDn,
      computerName: record.computerName,
      instanceName: attempt.name,
      intentKey: attempt.key,
      managedBy: runtime.managedBy,
      joinPassword: record.joinPassword,
    });
    context.actions.computerRecordsCreated.push(record.dn);
    return false;
  } catch (error) {
    attempt.recordFailure(error);
    await putIntent(context, {
      ...intent,
      status: 'failed',
      updatedAt: nowIso(context),
      detail: `computer record: ${messageOf(error)}`,
    });
    await removeInstance(context, attempt.name);
    attempt.emitFailure(error, 0);
    return true;
  }
}
