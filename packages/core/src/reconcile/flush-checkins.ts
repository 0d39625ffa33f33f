import type { LedgerInstance } from '../store/state-store.js';
import type { ReconcilerRuntime } from './reconciler-runtime.js';

/**
 * Writes pending check-ins (`runtime.pendingCheckins`) to the ledger. `ledger` (by id) is the
 * tick's copy when it has one, else the remembered one of this epoch, else read from the store; it
 * is updated in place with what was written. Ids matching no ledger instance (by Headroom or provider instance id) stay pending.
 */
export async function flushCheckins(
  runtime: ReconcilerRuntime,
  flush: { epoch: number; ledger?: Map<string, LedgerInstance> },
): Promise<void> {
  const { pendingCheckins, store } = runtime;
  if (pendingCheckins.size === 0) return;
  const remembered = runtime.storeMemory?.epoch === flush.epoch ? runtime.storeMemory.ledger : undefined;
  const ledger =
    flush.ledger ?? remembered ?? new Map((await store.listInstances()).map((entry) => [entry.id, entry] as const));
  let byProviderInstanceId: Map<string, LedgerInstance> | undefined;
  for (const [id, at] of [...pendingCheckins]) {
    let entry = ledger.get(id);
    if (!entry) {
      byProviderInstanceId ??= new Map(
        [...ledger.values()].flatMap((candidate) =>
          candidate.providerInstanceId === undefined ? [] : [[candidate.providerInstanceId, candidate] as const],
        ),
      );
      entry = byProviderInstanceId.get(id);
    }
    if (!entry) continue;
    if (entry.checkedInAt === undefined) {
      const updated = { ...entry, checkedInAt: new Date(at).toISOString() };
      await store.putInstance({ epoch: flush.epoch, instance: updated });
      ledger.set(updated.id, updated);
      runtime.verificationDue = true;
    }
    pendingCheckins.delete(id);
  }
}
