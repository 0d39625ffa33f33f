import type { LedgerInstance } from '../store/state-store.js';
import type { ReconcilerRuntime } from './reconciler-runtime.js';

/**
 * Writes pending operator drains and undrains (`runtime.pendingOperatorDrains`) to the tick's
 * ledger (`ledger`, by Headroom id, updated in place): a drain sets `operatorDrainedAt`, an undrain
 * removes it. Ids the ledger does not hold are dropped (the instance is gone).
 */
export async function flushOperatorDrains(
  runtime: ReconcilerRuntime,
  flush: { epoch: number; ledger: Map<string, LedgerInstance> },
): Promise<void> {
  const pending = runtime.pendingOperatorDrains;
  for (const [id, atMs] of [...pending]) {
    pending.delete(id);
    const entry = flush.ledger.get(id);
    if (!entry) continue;
    const { operatorDrainedAt: _previous, ...rest } = entry;
    const updated: LedgerInstance = atMs === null ? rest : { ...rest, operatorDrainedAt: new Date(atMs).toISOString() };
    if (updated.operatorDrainedAt === entry.operatorDrainedAt) continue;
    await runtime.store.putInstance({ epoch: flush.epoch, instance: updated });
    flush.ledger.set(id, updated);
    runtime.verificationDue = true;
  }
}
