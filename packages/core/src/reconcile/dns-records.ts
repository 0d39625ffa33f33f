import type { LedgerInstance } from '../store/state-store.js';
import { type DnsTarget, dnsTargetOf, entryOf, saveInstance, type TickContext } from './tick-context.js';

/** The record type of an address: `A` for IPv4, `AAAA` for IPv6, else `CNAME`. */
export const recordTypeOf = (address: string): 'A' | 'AAAA' | 'CNAME' =>
  /^\d{1,3}(\.\d{1,3}){3}$/.test(address) ? 'A' : address.includes(':') ? 'AAAA' : 'CNAME';

/** The DNS target of a ledger instance's autoscale config, if it registers DNS. */
export function dnsTargetOfEntry(context: TickContext, entry: LedgerInstance): DnsTarget | undefined {
  const autoscale = entryOf(context, entry.pool, entry.autoscale)?.autoscale;
  return autoscale ? dnsTargetOf(context, autoscale) : undefined;
}

/** Deletes one record and reports it (`actions.dnsDeleted`, event `dns-delete`). */
export async function deleteDnsRecord(
  context: TickContext,
  record: { target: DnsTarget; name: string; reason: string; type?: 'A' | 'AAAA' | 'CNAME' },
): Promise<void> {
  await record.target.dns.deleteRecord({ zone: record.target.baseDomain, name: record.name, type: record.type ?? 'A' });
  context.actions.dnsDeleted.push(record.name);
  context.runtime.emit({
    type: 'dns-delete',
    at: context.runtime.clock.now(),
    dnsProvider: record.target.dnsProviderId,
    name: record.name,
    reason: record.reason,
  });
}

/** Deletes the record registered for a ledger instance, if it has one. */
export async function deleteDnsOf(context: TickContext, entry: LedgerInstance, reason: string): Promise<void> {
  if (!entry.dnsName) return;
  const target = dnsTargetOfEntry(context, entry);
  if (!target) return;
  await deleteDnsRecord(context, {
    target,
    name: entry.dnsName,
    reason,
    type: entry.address ? recordTypeOf(entry.address) : 'A',
  });
}

/**
 * Registers `<id>.<baseDomain>` for a ledger instance once its address is known (or changed) and
 * records name and address in the ledger. Resolves to the ledger entry as it is now.
 */
export async function registerDnsOf(
  context: TickContext,
  entry: LedgerInstance,
  address: string | undefined,
): Promise<LedgerInstance> {
  if (!address) return entry;
  const target = dnsTargetOfEntry(context, entry);
  if (!target) return entry;
  const name = `${entry.id}.${target.baseDomain}`;
  if (entry.dnsName === name && entry.address === address) return entry;
  await target.dns.upsertRecord({
    zone: target.baseDomain,
    name,
    type: recordTypeOf(address),
    value: address,
    ttlSeconds: target.ttlSeconds,
  });
  context.actions.dnsUpserted.push(name);
  context.runtime.emit({
    type: 'dns-upsert',
    at: context.runtime.clock.now(),
    dnsProvider: target.dnsProviderId,
    name,
    value: address,
    reason: `${entry.id} has address ${address}`,
  });
  const updated = { ...entry, dnsName: name, address };
  await saveInstance(context, updated);
  return updated;
}
