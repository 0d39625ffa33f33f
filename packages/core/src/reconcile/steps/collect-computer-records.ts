import type { ComputerRecord } from '../../directory/computer-record-directory.js';
import { computerRecordTargetOf, deleteComputerRecord } from '../computer-records.js';
import { failTick, type TickContext } from '../tick-context.js';
import type { TickStep } from './tick-step.js';

interface Ou {
  ldapConfig: string;
  ouDn: string;
  /** False when a provider of one of its configs could not be listed: liveness is unknown. */
  observed: boolean;
}

/**
 * Collect stale Active Directory computer records, by the stale-DNS rules: a record Headroom marked
 * (`managedBy`) in an OU a config creates records in, whose instance is live nowhere (ledger, open
 * intent or listing), is deleted; in `orphans.mode: report` it is only reported as a tick error.
 * Records Headroom did not create are never listed, so never touched; an OU is skipped when a
 * provider of its configs could not be listed.
 */
export const collectComputerRecords: TickStep = {
  name: 'collect-computer-records',
  async run(context) {
    if (!context.fullVerification) return undefined;
    const ous = ousOf(context).filter((ou) => ou.observed);
    if (ous.length === 0) return undefined;
    const liveNames = new Set<string>(context.ledger.keys());
    const liveIntents = new Set<string>();
    for (const intent of context.openIntents) {
      liveNames.add(intent.instanceName);
      liveIntents.add(intent.key);
    }
    for (const instances of context.listing.byProvider.values())
      for (const instance of instances) liveNames.add(instance.name);
    const isLive = (record: ComputerRecord) => liveNames.has(record.instanceName) || liveIntents.has(record.intentKey);
    for (const ou of ous) {
      try {
        const directory = context.runtime.directories.get(ou.ldapConfig)!;
        const records = await directory.listComputerRecords({ ouDn: ou.ouDn, managedBy: context.runtime.managedBy });
        for (const record of records.filter((candidate) => !isLive(candidate))) {
          if (context.runtime.orphans.mode === 'report') {
            failTick(
              context,
              `computer-record:${record.instanceName}`,
              new Error(`stale computer record ${record.dn} (report mode)`),
            );
            continue;
          }
          await deleteComputerRecord(context, {
            ldapConfig: ou.ldapConfig,
            dn: record.dn,
            computerName: record.computerName,
          });
        }
      } catch (error) {
        failTick(context, `ldap:${ou.ldapConfig}`, error);
      }
    }
    return undefined;
  },
};

function ousOf(context: TickContext): Ou[] {
  const ous = new Map<string, Ou>();
  for (const entry of context.entries) {
    let target: ReturnType<typeof computerRecordTargetOf>;
    try {
      target = computerRecordTargetOf(context, entry);
    } catch (error) {
      failTick(context, `ldap:${entry.pool.id}/${entry.autoscale.id}`, error);
      continue;
    }
    if (!target) continue;
    const key = `${target.ldapConfig}\u0000${target.ouDn.toLowerCase()}`;
    const ou = ous.get(key) ?? { ldapConfig: target.ldapConfig, ouDn: target.ouDn, observed: true };
    if (!context.listing.byProvider.has(entry.autoscale.provider)) ou.observed = false;
    ous.set(key, ou);
  }
  return [...ous.values()];
}
