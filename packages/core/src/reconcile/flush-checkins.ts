import type { LedgerInstance } from '../store/state-store.js';
import type { ReconcilerRuntime } from './reconciler-runtime.js';

/**
 * Writes pending check-ins (`runtime.pendingCheckins`) and server statuses
 * (`runtime.pendingStatuses`) to the ledger. `ledger` (by id) is the tick's copy when it has one,
 * else the remembered one of this epoch, else read from the store; it is updated in place with
 * what was written. Ids matching no ledger instance (by Headroom or provider instance id) stay
 * pending.
 */
export async function flushCheckins(
  runtime: ReconcilerRuntime,
  flush: { epoch: number; ledger?: Map<string, LedgerInstance> },
): Promise<void> {
  const { pendingCheckins, pendingStatuses, store } = runtime;
  if (pendingCheckins.size === 0 && pendingStatuses.size === 0) return;
  const remembered = runtime.storeMemory?.epoch === flush.epoch ? runtime.storeMemory.ledger : undefined;
  const ledger =
    flush.ledger ?? remembered ?? new Map((await store.listInstances()).map((entry) => [entry.id, entry] as const));
  let byProviderInstanceId: Map<string, LedgerInstance> | undefined;
  const find = (id: string) => {
    const entry = ledger.get(id);
    if (entry) return entry;
    byProviderInstanceId ??= new Map(
      [...ledger.values()].flatMap((candidate) =>
        candidate.providerInstanceId === undefined ? [] : [[candidate.providerInstanceId, candidate] as const],
      ),
    );
    return byProviderInstanceId.get(id);
  };
  const write = async (updated: LedgerInstance) => {
    await store.putInstance({ epoch: flush.epoch, instance: updated });
    ledger.set(updated.id, updated);
  };
  for (const [id, at] of [...pendingCheckins]) {
    const entry = find(id);
    if (!entry) continue;
    if (entry.checkedInAt === undefined) {
      await write({ ...entry, checkedInAt: new Date(at).toISOString() });
      runtime.verificationDue = true;
    }
    pendingCheckins.delete(id);
  }
  for (const [id, status] of [...pendingStatuses]) {
    const entry = find(id);
    if (!entry) continue;
    await write({ ...ledger.get(entry.id)!, serverStatus: status });
    pendingStatuses.delete(id);
  }
}
