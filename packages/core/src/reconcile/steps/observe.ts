import { HEADROOM_TAGS } from '../../provider/tags.js';
import type { ProviderInstance } from '../../provider/v1/provider-v1-instance.js';
import { flushCheckins } from '../flush-checkins.js';
import { flushOperatorDrains } from '../flush-operator-drains.js';
import type { ListingIndex, StoreMemory } from '../reconciler-runtime.js';
import { takeStoredCheckins } from '../take-stored-checkins.js';
import { failTick, type TickContext } from '../tick-context.js';
import type { TickStep } from './tick-step.js';

/**
 * Observe: the control plane's snapshot (the tick stops when it fails), the ledger (with pending
 * check-ins, those followers kept in the store included, and operator drains written) and the open intents (remembered across ticks of one epoch, read from the
 * store on a new epoch, after a failed tick and every `fullVerificationIntervalSeconds`), and for every provider in the config or the ledger the instances tagged
 * `headroom-managed-by`. A provider whose listing failed is absent from `listing.byProvider`: it
 * gets no creates and no destroys this tick. Then decides whether this tick verifies fully.
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
    const intervalPassed =
      runtime.lastFullVerificationMs === undefined ||
      context.nowMs - runtime.lastFullVerificationMs >= runtime.fullVerificationIntervalMs;
    // The remembered ledger is read again on every interval, bounding any drift from the store.
    if (intervalPassed) runtime.storeMemory = undefined;
    const memory = await rememberStore(context);
    context.ledger = memory.ledger;
    const storedCheckins = await takeStoredCheckins(runtime, context.ledger);
    await flushCheckins(runtime, { epoch: context.epoch, ledger: context.ledger });
    if (storedCheckins.length > 0) await runtime.store.deletePendingCheckins({ checkins: storedCheckins });
    await flushOperatorDrains(runtime, { epoch: context.epoch, ledger: context.ledger });
    context.openIntents = memory.openIntents.size === 0 ? [] : [...memory.openIntents.values()];
    const listingChanged = await listManagedInstances(context);
    context.fullVerification = fullVerificationNeeded(context, listingChanged || intervalPassed);
    return undefined;
  },
};

async function rememberStore(context: TickContext): Promise<StoreMemory> {
  const { runtime, epoch } = context;
  if (runtime.storeMemory?.epoch === epoch) return runtime.storeMemory;
  runtime.storeMemory = undefined;
  const ledger = new Map((await runtime.store.listInstances()).map((entry) => [entry.id, entry] as const));
  const open = await runtime.store.listIntents({ status: 'open' });
  const memory: StoreMemory = { epoch, ledger, openIntents: new Map(open.map((intent) => [intent.key, intent])) };
  runtime.storeMemory = memory;
  runtime.verificationDue = true;
  return memory;
}

/** Lists every provider; resolves true when some provider's listing differs from its last one. */
async function listManagedInstances(context: TickContext): Promise<boolean> {
  const { providers, managedBy, listings } = context.runtime;
  const providerIds = new Set<string>(Object.keys(context.config.providers).filter((id) => providers.has(id)));
  for (const entry of context.ledger.values()) if (providers.has(entry.provider)) providerIds.add(entry.provider);
  for (const entry of context.entries) {
    const id = entry.autoscale.provider;
    if (!providers.has(id))
      failTick(context, `provider:${id}`, new Error(`no provider adapter for provider config ${id}`));
  }
  let changed = false;
  await Promise.all(
    [...providerIds].map(async (id) => {
      let instances: ProviderInstance[];
      try {
        instances = await providers.get(id)!.listInstances({ tags: { [HEADROOM_TAGS.managedBy]: managedBy } });
      } catch (error) {
        failTick(context, `provider:${id}`, error);
        return;
      }
      let index = listings.get(id);
      if (!index || !sameListing(index, instances)) {
        changed = true;
        index = indexListing(instances);
        listings.set(id, index);
      }
      context.listing.byProvider.set(id, instances);
      context.listing.byId.set(id, index.byId);
      context.listing.byIntent.set(id, index.byIntent);
    }),
  );
  for (const id of listings.keys()) if (!providerIds.has(id)) listings.delete(id);
  return changed;
}

function indexListing(instances: ProviderInstance[]): ListingIndex {
  const byId = new Map<string, ProviderInstance>();
  const byIntent = new Map<string, ProviderInstance>();
  for (const instance of instances) {
    byId.set(instance.instanceId, instance);
    const intentKey = instance.tags[HEADROOM_TAGS.intent];
    if (intentKey !== undefined && !byIntent.has(intentKey)) byIntent.set(intentKey, instance);
  }
  return { instances, byId, byIntent };
}

/**
 * True when `instances` holds the same instances as the indexed listing with the same name,
 * state, addresses, creation time, shape and Headroom tags (no allocation: one lookup each).
 */
function sameListing(index: ListingIndex, instances: readonly ProviderInstance[]): boolean {
  if (instances.length !== index.byId.size) return false;
  for (const instance of instances) {
    const previous = index.byId.get(instance.instanceId);
    if (previous === undefined) return false;
    if (previous === instance) continue;
    if (
      previous.name !== instance.name ||
      previous.state !== instance.state ||
      previous.publicAddress !== instance.publicAddress ||
      previous.privateAddress !== instance.privateAddress ||
      previous.createdAt !== instance.createdAt ||
      previous.shape?.cores !== instance.shape?.cores ||
      previous.shape?.memoryMb !== instance.shape?.memoryMb ||
      previous.shape?.gpus !== instance.shape?.gpus ||
      previous.tags[HEADROOM_TAGS.intent] !== instance.tags[HEADROOM_TAGS.intent] ||
      previous.tags[HEADROOM_TAGS.pool] !== instance.tags[HEADROOM_TAGS.pool] ||
      previous.tags[HEADROOM_TAGS.autoscale] !== instance.tags[HEADROOM_TAGS.autoscale]
    )
      return false;
  }
  return true;
}

/**
 * A full verification (ledger against listing, DNS registration, orphans, stale DNS) is needed when
 * the listing changed, an intent is open, the config changed, the store was written or a tick had
 * errors since the last one (`verificationDue`), or `fullVerificationIntervalSeconds` passed.
 * Otherwise it would find what the last one found: nothing to do.
 */
function fullVerificationNeeded(context: TickContext, changedOrDue: boolean): boolean {
  const { runtime, nowMs } = context;
  const configChanged = runtime.lastConfig !== context.config;
  runtime.lastConfig = context.config;
  const full =
    changedOrDue ||
    configChanged ||
    runtime.verificationDue ||
    context.openIntents.length > 0 ||
    context.errors.length > 0;
  runtime.verificationDue = false;
  if (full) runtime.lastFullVerificationMs = nowMs;
  return full;
}
