import type { AutoscaleConfig, HeadroomConfig } from '../config/config-schema.js';
import { type AutoscaleEntry, listAutoscaleEntries } from '../config/config-views.js';
import type { FleetSnapshot } from '../model/instance.js';
import type { PlannerState } from '../planner/planner-state.js';
import type { DestroyCause, ScalingPlan } from '../planner/scaling-plan.js';
import type { DnsProviderV1 } from '../provider/v1/dns-provider-v1.js';
import type { ProviderInstance } from '../provider/v1/provider-v1-instance.js';
import type { Intent, IntentStatus, LedgerInstance } from '../store/state-store.js';
import type { TickActions, TickResult } from './autoscaler-types.js';
import type { UnknownProviderInstance } from './merge-snapshot.js';
import type { ReconcilerRuntime } from './reconciler-runtime.js';
import { errorClassOf } from './with-events.js';

/** The DNS registration of an autoscale config, resolved to its provider. */
export interface DnsTarget {
  dnsProviderId: string;
  dns: DnsProviderV1;
  baseDomain: string;
  ttlSeconds: number;
}

export type DestroyReasonCause = DestroyCause | 'orphan' | 'recovery';

/** A ledger instance to destroy this tick. */
export interface DestroyJob {
  entry: LedgerInstance;
  cause: DestroyReasonCause;
  reason: string;
  /** State to return to when an interrupted destroy is cancelled because the instance has sessions. */
  restoreState?: LedgerInstance['state'];
}

/** What the providers listed this tick (managed instances only), with lookups by id and by intent tag. */
export interface ProviderListing {
  /** Instances by provider config id; a provider whose listing failed is absent. */
  byProvider: Map<string, ProviderInstance[]>;
  /** By provider config id, then provider instance id. */
  byId: Map<string, Map<string, ProviderInstance>>;
  /** By provider config id, then `headroom-intent` tag (the first instance carrying it). */
  byIntent: Map<string, Map<string, ProviderInstance>>;
}

/**
 * Everything one tick works on. `observe` fills the observation; each later step reads it and adds
 * what the steps after it need (open create keys, destroy jobs, unknown instances, the plan).
 * Store writes go through the writers here, so the tick's ledger copy always matches the store.
 */
export interface TickContext {
  readonly runtime: ReconcilerRuntime;
  readonly epoch: number;
  /** Clock time at the start of the tick. */
  readonly nowMs: number;
  /** The config of this tick (a concurrent `updateConfig` applies from the next tick). */
  readonly config: HeadroomConfig;
  readonly entries: readonly AutoscaleEntry[];
  /** DNS target of each autoscale config of the tick (use `dnsTargetOf`). */
  readonly dnsTargets: ReadonlyMap<AutoscaleConfig, DnsTarget | undefined>;
  /** The entries by pool id, then autoscale id (use `entryOf`). */
  readonly entryIndex: ReadonlyMap<string, ReadonlyMap<string, AutoscaleEntry>>;
  readonly actions: TickActions;
  readonly errors: TickResult['errors'];

  // Observation (filled by `observe`).
  inventory: FleetSnapshot;
  /** The ledger by Headroom id, kept equal to the store by the writers below. */
  ledger: Map<string, LedgerInstance>;
  openIntents: Intent[];
  listing: ProviderListing;
  /**
   * Whether this tick runs the verification steps (verify ledger, register DNS, orphans, stale
   * DNS); decided by `observe` (see `fullVerificationIntervalSeconds`).
   */
  fullVerification: boolean;

  // Derived by the steps.
  /** Keys of open create intents still in flight (pending capacity, not orphans). */
  openCreateKeys: Set<string>;
  /** Open destroy intents by instance name, for the steps that finish or cancel them. */
  openDestroyByInstance: Map<string, Intent>;
  /** Addresses of ledger instances seen in the listing, by Headroom id, for `registerDns`. */
  addresses: Map<string, string>;
  /** Managed instances neither the ledger nor an open intent accounts for. */
  unknown: UnknownProviderInstance[];
  destroyQueue: DestroyJob[];
  orphanDestroys: UnknownProviderInstance[];
  plannerState: PlannerState | undefined;
  plan: ScalingPlan | undefined;
}

/** The tick's autoscale config of `pool`/`autoscale`, if the config still has it. */
export function entryOf(context: TickContext, pool: string, autoscale: string): AutoscaleEntry | undefined {
  return context.entryIndex.get(pool)?.get(autoscale);
}

/** A fresh context for one tick; the observation is empty until `observe` runs. */
export function createTickContext(options: {
  runtime: ReconcilerRuntime;
  epoch: number;
  nowMs: number;
  config: HeadroomConfig;
  actions: TickActions;
  errors: TickResult['errors'];
}): TickContext {
  const entries = listAutoscaleEntries(options.config);
  const entryIndex = new Map<string, Map<string, AutoscaleEntry>>();
  for (const entry of entries) {
    let byAutoscale = entryIndex.get(entry.pool.id);
    if (!byAutoscale) {
      byAutoscale = new Map();
      entryIndex.set(entry.pool.id, byAutoscale);
    }
    byAutoscale.set(entry.autoscale.id, entry);
  }
  const dnsTargets = new Map<AutoscaleConfig, DnsTarget | undefined>();
  for (const entry of entries) dnsTargets.set(entry.autoscale, resolveDnsTarget(options.runtime, entry.autoscale));
  return {
    ...options,
    entries,
    entryIndex,
    dnsTargets,
    inventory: { at: new Date(options.nowMs).toISOString(), instances: [], queued: [] },
    ledger: new Map(),
    openIntents: [],
    listing: { byProvider: new Map(), byId: new Map(), byIntent: new Map() },
    fullVerification: true,
    openCreateKeys: new Set(),
    openDestroyByInstance: new Map(),
    addresses: new Map(),
    unknown: [],
    destroyQueue: [],
    orphanDestroys: [],
    plannerState: undefined,
    plan: undefined,
  };
}

/** Records a failure of part of the tick; the tick goes on with what it can do safely. */
export function failTick(context: Pick<TickContext, 'errors'>, scope: string, error: unknown): void {
  context.errors.push({ scope, message: messageOf(error), errorClass: errorClassOf(error) });
}

/** Clock time now as an ISO instant (for `updatedAt`). */
export function nowIso(context: TickContext): string {
  return new Date(context.runtime.clock.now()).toISOString();
}

/**
 * Writes a ledger instance (fenced) and updates the tick's ledger (the one kept across ticks).
 * Every write marks the next tick for a full verification.
 */
export async function saveInstance(context: TickContext, instance: LedgerInstance): Promise<void> {
  await context.runtime.store.putInstance({ epoch: context.epoch, instance });
  context.ledger.set(instance.id, instance);
  context.runtime.verificationDue = true;
}

/** Removes a ledger instance (fenced) and drops it from the tick's ledger. */
export async function removeInstance(context: TickContext, id: string): Promise<void> {
  await context.runtime.store.deleteInstance({ epoch: context.epoch, id });
  context.ledger.delete(id);
  context.runtime.verificationDue = true;
}

/** Writes an intent (fenced) and keeps the remembered open intents in step. */
export async function putIntent(context: TickContext, intent: Intent): Promise<void> {
  await context.runtime.store.putIntent({ epoch: context.epoch, intent });
  const openIntents = context.runtime.storeMemory?.openIntents;
  if (intent.status === 'open') openIntents?.set(intent.key, intent);
  else openIntents?.delete(intent.key);
  context.runtime.verificationDue = true;
}

/**
 * Closes an open intent found by recovery: writes its new status, counts it in
 * `actions.intentsResolved` and emits `intent-resolved` with the reason.
 */
export async function settleIntent(
  context: TickContext,
  settle: {
    intent: Intent;
    status: Exclude<IntentStatus, 'open'>;
    outcome: 'adopted' | 'finished' | 'failed';
    reason: string;
    /** Replaces the intent's `detail`. */
    detail?: string;
    providerInstanceId?: string;
  },
): Promise<void> {
  const { intent } = settle;
  await putIntent(context, {
    ...intent,
    status: settle.status,
    updatedAt: nowIso(context),
    ...(settle.detail !== undefined ? { detail: settle.detail } : {}),
    ...(settle.providerInstanceId !== undefined ? { providerInstanceId: settle.providerInstanceId } : {}),
  });
  context.actions.intentsResolved += 1;
  context.runtime.emit({
    type: 'intent-resolved',
    at: context.runtime.clock.now(),
    intentKey: intent.key,
    kind: intent.kind,
    outcome: settle.outcome,
    reason: settle.reason,
  });
}

/** The DNS target of an autoscale config, when it has `dns` and its DNS provider is configured. */
export function dnsTargetOf(context: TickContext, autoscale: AutoscaleConfig): DnsTarget | undefined {
  return context.dnsTargets.has(autoscale)
    ? context.dnsTargets.get(autoscale)
    : resolveDnsTarget(context.runtime, autoscale);
}

function resolveDnsTarget(runtime: ReconcilerRuntime, autoscale: AutoscaleConfig): DnsTarget | undefined {
  if (!autoscale.dns) return undefined;
  const dns = runtime.dnsProviders.get(autoscale.dns.provider);
  if (!dns) return undefined;
  return {
    dnsProviderId: autoscale.dns.provider,
    dns,
    baseDomain: autoscale.dns.baseDomain,
    ttlSeconds: autoscale.dns.ttlSeconds,
  };
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Milliseconds of an ISO instant, or undefined when absent or unparsable. */
export const parseInstant = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

/** The address a DNS record points at: public, else private. */
export const addressOf = (instance: ProviderInstance): string | undefined =>
  instance.publicAddress ?? instance.privateAddress;
