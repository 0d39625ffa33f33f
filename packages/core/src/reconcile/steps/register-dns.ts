import { registerDnsOf } from '../dns-records.js';
import { failTick } from '../tick-context.js';
import type { TickStep } from './tick-step.js';

/**
 * Register DNS: every verified ledger instance with a known address gets `<id>.<baseDomain>`
 * (upserted when the name or address differs from the ledger's). A failed upsert is retried next tick.
 */
export const registerDns: TickStep = {
  name: 'register-dns',
  async run(context) {
    if (!context.fullVerification) return undefined;
    for (const [id, address] of context.addresses) {
      const entry = context.ledger.get(id);
      if (!entry) continue;
      try {
        await registerDnsOf(context, entry, address);
      } catch (error) {
        failTick(context, `dns:${id}`, error);
      }
    }
    return undefined;
  },
};
