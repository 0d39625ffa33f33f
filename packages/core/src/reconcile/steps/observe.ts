import { HEADROOM_TAGS } from '../../provider/tags.js';
import type { ProviderInstance } from '../../provider/v1/provider-v1-instance.js';
import { flushCheckins } from '../flush-checkins.js';
import { failTick, type ProviderListing, type TickContext } from '../tick-context.js';
import type { TickStep } from './tick-step.js';

/**
 * Observe: the control plane's snapshot (the tick stops when it fails), the ledger (with pending
 * check-ins written), the open intents and, for every provider in the config or the ledger, the
 * instances tagged `headroom-managed-by`. A provider whose listing failed is absent from
 * `listing.byProvider`: it gets no creates and no destroys this tick.
 */
export const observe: TickStep = {
  name: 'observe',
  async run(context) {
    const { runtime } = context;
    try {
      context.inventory = await runtime.options.inventory.getSnapshot({ now: context.nowMs });
    } catch (error) {
      failTick(context, 'inventory', error);
      return 'stop';
    }
    context.ledger = new Map((await runtime.store.listInstances()).map((entry) => [entry.id, entry]));
    await flushCheckins(runtime, { epoch: context.epoch, ledger: context.ledger });
    context.openIntents = await runtime.store.listIntents({ status: 'open' });
    context.listing = await listManagedInstances(context);
    return undefined;
  },
};

async function listManagedInstances(context: TickContext): Promise<ProviderListing> {
  const { providers, managedBy } = context.runtime;
  const providerIds = new Set<string>(Object.keys(context.config.providers).filter((id) => providers.has(id)));
  for (const entry of context.ledger.values()) if (providers.has(entry.provider)) providerIds.add(entry.provider);
  for (const entry of context.entries) {
    const id = entry.autoscale.provider;
    if (!providers.has(id))
      failTick(context, `provider:${id}`, new Error(`no provider adapter for provider config ${id}`));
  }
  const listing: ProviderListing = { byProvider: new Map(), byId: new Map(), byIntent: new Map() };
  await Promise.all(
    [...providerIds].map(async (id) => {
      try {
        const instances = await providers.get(id)!.listInstances({ tags: { [HEADROOM_TAGS.managedBy]: managedBy } });
        listing.byProvider.set(id, instances);
      } catch (error) {
        failTick(context, `provider:${id}`, error);
      }
    }),
  );
  for (const [provider, instances] of listing.byProvider) {
    const byId = new Map<string, ProviderInstance>();
    const byIntent = new Map<string, ProviderInstance>();
    for (const instance of instances) {
      byId.set(instance.instanceId, instance);
      const intentKey = instance.tags[HEADROOM_TAGS.intent];
      if (intentKey !== undefined && !byIntent.has(intentKey)) byIntent.set(intentKey, instance);
    }
    listing.byId.set(provider, byId);
    listing.byIntent.set(provider, byIntent);
  }
  return listing;
}
