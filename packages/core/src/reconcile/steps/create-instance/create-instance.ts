import type { ComputerRecordRef } from '../../../store/state-store.js';
import type { TickContext } from '../../tick-context.js';
import { type CreateJob, startCreateAttempt } from './create-attempt.js';
import { createComputerRecordFor } from './create-computer-record.js';
import { createProviderInstance } from './create-provider-instance.js';
import { finishCreate } from './finish-create.js';
import { prepareCreateInputs } from './prepare-create-inputs.js';
import { recordCreateIntent } from './record-create-intent.js';

export type { CreateJob } from './create-attempt.js';

/**
 * Creates one instance; resolves true when the create failed (and was cleaned up). Steps: name it,
 * prepare the computer record and startup script, record the intent and the `requested` entry,
 * create the computer record, create the provider instance, then finish (ledger, intent, DNS).
 */
export async function createInstance(context: TickContext, job: CreateJob): Promise<boolean> {
  const attempt = startCreateAttempt(context, job);
  let inputs: Awaited<ReturnType<typeof prepareCreateInputs>>;
  try {
    inputs = await prepareCreateInputs(context, attempt);
  } catch (error) {
    attempt.recordFailure(error);
    attempt.emitFailure(error, 0);
    return true;
  }
  const { startupScript, record } = inputs;
  const computerRecord: ComputerRecordRef | undefined = record
    ? { ldapConfig: record.ldapConfig, dn: record.dn, computerName: record.computerName }
    : undefined;
  const { intent, requested } = await recordCreateIntent(context, attempt, computerRecord);
  if (record && (await createComputerRecordFor(context, attempt, { record, intent }))) return true;
  const instance = await createProviderInstance(context, attempt, { intent, startupScript, computerRecord });
  if (!instance) return true;
  await finishCreate(context, attempt, { instance, intent, requested });
  return false;
}
