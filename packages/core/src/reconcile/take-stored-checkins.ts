import type { LedgerInstance, PendingCheckin } from '../store/state-store.js';
import type { ReconcilerRuntime } from './reconciler-runtime.js';

/**
 * Moves the check-ins followers kept in the store (`StateStore.putPendingCheckin`) into
 * `runtime.pendingCheckins` / `runtime.pendingStatuses`, as `Autoscaler.recordCheckin` does with
 * one received directly (a newer status received directly wins). Kept check-ins of instances
 * the ledger no longer holds are deleted from the store at once. Resolves the taken ones: delete
 * them from the store (`StateStore.deletePendingCheckins`) once written to the ledger.
 */
export async function takeStoredCheckins(
  runtime: ReconcilerRuntime,
  ledger: ReadonlyMap<string, LedgerInstance>,
): Promise<PendingCheckin[]> {
  const stored = await runtime.store.listPendingCheckins();
  if (stored.length === 0) return [];
  const taken: PendingCheckin[] = [];
  const stale: PendingCheckin[] = [];
  for (const checkin of stored) {
    const { instanceId, checkedInAt, status } = checkin;
    if (!ledger.has(instanceId)) {
      stale.push(checkin);
      continue;
    }
    if (checkedInAt !== undefined && !runtime.pendingCheckins.has(instanceId)) {
      runtime.pendingCheckins.set(instanceId, Date.parse(checkedInAt));
    }
    const received = runtime.pendingStatuses.get(instanceId);
    if (received === undefined || received.at < status.at) runtime.pendingStatuses.set(instanceId, status);
    taken.push(checkin);
  }
  if (stale.length > 0) await runtime.store.deletePendingCheckins({ checkins: stale });
  return taken;
}
