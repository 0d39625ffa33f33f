import { HEADROOM_TAGS } from '../../provider/tags.js';
import type { ProviderInstance } from '../../provider/v1/provider-v1-instance.js';
import { parseInstant, type TickContext } from '../tick-context.js';
import type { TickStep } from './tick-step.js';

/**
 * Collect orphans: listed managed instances that no ledger entry accounts for are `unknown` (the
 * planner counts them as `destroying`). Those not carrying an open create intent's tag, not
 * already stopping and older than `orphans.graceSeconds` are orphans: reported (`orphan-found`, once
 * per process in `report` mode) and, in `destroy` mode, queued for `runDestroys`. Runs on full
 * verifications only; while unknown instances exist every tick verifies fully.
 */
export const collectOrphans: TickStep = {
  name: 'collect-orphans',
  async run(context) {
    if (!context.fullVerification) return undefined;
    const knownIds = new Set<string>();
    for (const entry of context.ledger.values()) if (entry.providerInstanceId) knownIds.add(entry.providerInstanceId);
    const unknownIds = new Set<string>();
    for (const [provider, instances] of context.listing.byProvider) {
      for (const instance of instances) {
        if (knownIds.has(instance.instanceId)) continue;
        context.unknown.push({ provider, instance });
        unknownIds.add(instance.instanceId);
        checkOrphan(context, provider, instance);
      }
    }
    const { firstSeenMs } = context.runtime;
    for (const id of firstSeenMs.keys()) if (!unknownIds.has(id)) firstSeenMs.delete(id);
    // Unknown instances age towards their grace and count in the plan: look again next tick.
    if (context.unknown.length > 0) context.runtime.verificationDue = true;
    return undefined;
  },
};

function checkOrphan(context: TickContext, provider: string, instance: ProviderInstance): void {
  const { runtime, nowMs } = context;
  const intentKey = instance.tags[HEADROOM_TAGS.intent];
  if (intentKey !== undefined && context.openCreateKeys.has(intentKey)) return;
  if (instance.state === 'stopping') return;
  const createdMs = parseInstant(instance.createdAt) ?? runtime.firstSeenMs.get(instance.instanceId) ?? nowMs;
  if (!runtime.firstSeenMs.has(instance.instanceId)) runtime.firstSeenMs.set(instance.instanceId, createdMs);
  const ageSeconds = Math.floor((nowMs - createdMs) / 1000);
  const { mode, graceSeconds } = runtime.orphans;
  if (ageSeconds < graceSeconds) return;
  context.actions.orphansFound.push(instance.instanceId);
  if (!runtime.reportedOrphans.has(instance.instanceId) || mode === 'destroy') {
    runtime.reportedOrphans.add(instance.instanceId);
    runtime.emit({
      type: 'orphan-found',
      at: runtime.clock.now(),
      provider,
      providerInstanceId: instance.instanceId,
      name: instance.name,
      ageSeconds,
      mode,
      reason: `carries ${HEADROOM_TAGS.managedBy}=${runtime.managedBy} but is unknown to the state store for ${ageSeconds} s (grace ${graceSeconds} s)`,
    });
  }
  if (mode === 'destroy') context.orphanDestroys.push({ provider, instance });
}
