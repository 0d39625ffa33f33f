import type { AutoscaleEntry } from '../../config/config-views.js';
import { deleteDnsRecord } from '../dns-records.js';
import { isInstanceNameOf } from '../instance-naming.js';
import { type DnsTarget, dnsTargetOf, failTick, type TickContext } from '../tick-context.js';
import type { TickStep } from './tick-step.js';

interface Zone {
  target: DnsTarget;
  entries: AutoscaleEntry[];
  /** False when a provider of one of its configs could not be listed: liveness is unknown. */
  observed: boolean;
}

/**
 * Collect stale DNS: records under a configured base domain whose first label has the shape of a
 * Headroom name of a config using that domain (`<pool>-<autoscale>-<8 hex>`) and that match no live
 * instance (ledger, open intent or listing) are deleted. Other records are never touched; a zone
 * is skipped when a provider of its configs could not be listed.
 */
export const collectStaleDns: TickStep = {
  name: 'collect-stale-dns',
  async run(context) {
    if (!context.fullVerification) return undefined;
    const zones = [...zonesOf(context).values()].filter((zone) => zone.observed);
    if (zones.length === 0) return undefined;
    const liveNames = new Set<string>(context.ledger.keys());
    for (const intent of context.openIntents) liveNames.add(intent.instanceName);
    for (const instances of context.listing.byProvider.values())
      for (const instance of instances) liveNames.add(instance.name);
    for (const zone of zones) {
      try {
        await deleteStaleRecords(context, zone, liveNames);
      } catch (error) {
        failTick(context, `dns:${zone.target.dnsProviderId}`, error);
      }
    }
    return undefined;
  },
};

function zonesOf(context: TickContext): Map<string, Zone> {
  const zones = new Map<string, Zone>();
  for (const entry of context.entries) {
    const target = dnsTargetOf(context, entry.autoscale);
    if (!target) continue;
    const key = `${target.dnsProviderId}\u0000${target.baseDomain}`;
    const zone = zones.get(key) ?? { target, entries: [], observed: true };
    zone.entries.push(entry);
    if (!context.listing.byProvider.has(entry.autoscale.provider)) zone.observed = false;
    zones.set(key, zone);
  }
  return zones;
}

async function deleteStaleRecords(context: TickContext, zone: Zone, liveNames: ReadonlySet<string>): Promise<void> {
  const { target } = zone;
  const suffix = `.${target.baseDomain}`;
  const records = await target.dns.listRecords({ zone: target.baseDomain });
  for (const record of records) {
    if (!record.name.endsWith(suffix)) continue;
    const label = record.name.slice(0, -suffix.length);
    if (label.includes('.') || liveNames.has(label)) continue;
    const headroomName = zone.entries.some((entry) =>
      isInstanceNameOf({ label, pool: entry.pool.id, autoscale: entry.autoscale.id }),
    );
    if (!headroomName) continue;
    await deleteDnsRecord(context, {
      target,
      name: record.name,
      type: record.type,
      reason: `stale: no live instance ${label}`,
    });
  }
}
