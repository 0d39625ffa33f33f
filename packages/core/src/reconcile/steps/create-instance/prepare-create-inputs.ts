import { computerNameFor } from '../../../directory/computer-name.js';
import type { ComputerRecordRef } from '../../../store/state-store.js';
import { computerRecordTargetOf } from '../../computer-records.js';
import type { TickContext } from '../../tick-context.js';
import { renderStartupScriptFor } from '../render-startup-script.js';
import type { CreateAttempt } from './create-attempt.js';

/** The computer record a create will make, with its join password and OU. */
export type PlannedComputerRecord = ComputerRecordRef & { joinPassword: string; ouDn: string };

/**
 * Plans the computer record (when the config joins a directory) and renders the startup script.
 * Throws when either fails; nothing is written yet.
 */
export async function prepareCreateInputs(
  context: TickContext,
  attempt: CreateAttempt,
): Promise<{ startupScript: string | undefined; record: PlannedComputerRecord | undefined }> {
  const { runtime } = context;
  const { entry, pool, name, serverId, connectionPassword } = attempt;
  let record: PlannedComputerRecord | undefined;
  const target = computerRecordTargetOf(context, entry);
  if (target) {
    const computerName = computerNameFor({ pool, intentKey: attempt.key });
    const dn = `CN=${computerName},${target.ouDn}`;
    record = {
      ldapConfig: target.ldapConfig,
      dn,
      computerName,
      ouDn: target.ouDn,
      joinPassword: runtime.generateJoinPassword(),
    };
  }
  const startupScript = await renderStartupScriptFor(context, {
    entry,
    name,
    serverId,
    ...(connectionPassword !== undefined ? { connectionPassword } : {}),
    ...(record ? { computerRecord: { computerName: record.computerName, joinPassword: record.joinPassword } } : {}),
  });
  return { startupScript, record };
}
