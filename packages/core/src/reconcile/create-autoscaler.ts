import { systemClock, systemTimers } from '../clock/clock.js';
import type { AutoscaleConfig, HeadroomConfig } from '../config/config-schema.js';
import { type AutoscaleEntry, instanceShape, listAutoscaleEntries } from '../config/config-views.js';
import { FencedWriteError } from '../errors/fenced-write-error.js';
import type { FleetSnapshot } from '../model/instance.js';
import type { Resources } from '../model/resources.js';
import { computeScalingPlan } from '../planner/compute-scaling-plan.js';
import { recordCreateFailure } from '../planner/failure-backoff.js';
import type { PlannerState } from '../planner/planner-state.js';
import type { DestroyCause, ScalingPlan } from '../planner/scaling-plan.js';
import { HEADROOM_TAGS } from '../provider/tags.js';
import { buildManagedTags } from '../provider/utils/managed-tags.js';
import { renderStartupScript, type StartupScriptValues } from '../provider/utils/render-startup-script.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import type { DnsProviderV1 } from '../provider/v1/dns-provider-v1.js';
import type { ProviderInstance } from '../provider/v1/provider-v1-instance.js';
import { createSingleProcessLeaderElector } from '../store/memory-state-store.js';
import type { Intent, LedgerInstance } from '../store/state-store.js';
import type { AutoscalerEvent } from './autoscaler-events.js';
import type { Autoscaler, AutoscalerOptions, TickActions, TickResult } from './autoscaler-types.js';
import { createIntentKey, instanceNameFor, isInstanceNameOf } from './instance-naming.js';
import { ledgerStateOf, mergeSnapshot, type UnknownProviderInstance } from './merge-snapshot.js';
import { runPool } from './run-pool.js';
import { withDnsDryRun, withDryRun, withDryRunStore } from './with-dry-run.js';
import { errorClassOf, withDnsEvents, withEvents } from './with-events.js';
import { withDnsRateLimit, withRateLimit } from './with-rate-limit.js';
import { withDnsRetry, withRetry } from './with-retry.js';

const DEFAULT_RATE_LIMIT = { callsPerSecond: 10, concurrency: 4 };
const DEFAULT_RETRY = { maxAttempts: 4, initialDelayMs: 1000, maxDelayMs: 30_000 };
const DEFAULT_ORPHANS = { mode: 'destroy', graceSeconds: 600 } as const;
const DEFAULT_INTERVAL_SECONDS = 30;

type DestroyReasonCause = DestroyCause | 'orphan' | 'recovery';

/** The DNS registration of an autoscale config, resolved to its provider. */
interface DnsTarget {
  dnsProviderId: string;
  dns: DnsProviderV1;
  baseDomain: string;
  ttlSeconds: number;
}

const INTENT_DELETE_INTERVAL_MS = 3_600_000;

const emptyActions = (): TickActions => ({
  created: [],
  createFailed: 0,
  destroyed: [],
  destroyFailed: 0,
  destroySkipped: [],
  intentsResolved: 0,
  intentsDeleted: 0,
  orphansFound: [],
  orphansDestroyed: [],
  dnsUpserted: [],
  dnsDeleted: [],
});

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const parseInstant = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

const addressOf = (instance: ProviderInstance): string | undefined => instance.publicAddress ?? instance.privateAddress;

const recordTypeOf = (address: string): 'A' | 'AAAA' | 'CNAME' =>
  /^\d{1,3}(\.\d{1,3}){3}$/.test(address) ? 'A' : address.includes(':') ? 'AAAA' : 'CNAME';

/** The tick interval of the config (`scaler.intervalSeconds`), default 30 s. */
export function tickIntervalSeconds(config: HeadroomConfig): number {
  const value = config.scaler?.intervalSeconds;
  return typeof value === 'number' && value > 0 ? value : DEFAULT_INTERVAL_SECONDS;
}

/**
 * Creates the reconciler (DESIGN §8): each tick observes (control-plane snapshot, ledger, managed
 * instances listed by tag), resolves open intents, plans with `computeScalingPlan`, acts (destroys,
 * then creates, each behind an intent written first) and registers DNS.
 *
 * Safety rules it keeps:
 * - an intent and a `requested` ledger entry are written before every create; the create carries
 *   the intent key as idempotency key and the four `headroom-*` tags;
 * - a provider whose instances could not be listed this tick gets no creates or destroys;
 * - an instance that the control plane reports with sessions is never destroyed (checked again on
 *   a fresh snapshot right before destroying);
 * - a failed create is cleaned up by its intent tag and recorded for the planner's exponential
 *   failure backoff.
 */
export function createAutoscaler(options: AutoscalerOptions): Autoscaler {
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const random = options.random ?? Math.random;
  const managedBy = options.managedBy ?? 'headroom';
  const orphanOptions = options.orphans ?? DEFAULT_ORPHANS;
  const rateLimit = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  const retry = options.retry ?? DEFAULT_RETRY;
  const intentGraceMs = (options.intentGraceSeconds ?? 120) * 1000;
  const intentRetentionMs = (options.intentRetentionSeconds ?? 7 * 86_400) * 1000;
  /** When settled intents were last deleted; at most once an hour of clock time. */
  let intentsDeletedAtMs: number | undefined;
  const store = options.dryRun ? withDryRunStore(options.store) : options.store;
  const leaderElector = options.leaderElector ?? createSingleProcessLeaderElector();
  let config = options.config;

  const emit = (event: AutoscalerEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's failure must not change what the reconciler does.
    }
  };

  const providers = new Map<string, ComputeProviderV1>();
  for (const [id, base] of Object.entries(options.providers)) {
    let provider = options.dryRun ? withDryRun(base, { clock }) : base;
    provider = withEvents(provider, { clock, emit, providerId: id });
    provider = withRateLimit(provider, { rateLimit, clock, timers });
    provider = withRetry(provider, { retry, timers, random });
    providers.set(id, provider);
  }
  const dnsProviders = new Map<string, DnsProviderV1>();
  for (const [id, base] of Object.entries(options.dnsProviders ?? {})) {
    let dns = options.dryRun ? withDnsDryRun(base) : base;
    dns = withDnsEvents(dns, { clock, emit, providerId: id });
    dns = withDnsRateLimit(dns, { rateLimit, clock, timers });
    dns = withDnsRetry(dns, { retry, timers, random });
    dnsProviders.set(id, dns);
  }

  let initialized = false;
  let leaderEpoch: number | undefined;
  let intentSequence = 0;
  let last: TickResult | undefined;
  let running: Promise<TickResult> | undefined;
  let loop: Promise<void> | undefined;
  let loopAbort: AbortController | undefined;
  let stopped = false;
  /** Check-ins not yet written to the ledger, by Headroom or provider instance id. */
  const pendingCheckins = new Map<string, number>();
  /** First time this process saw a managed instance it does not know, for those without `createdAt`. */
  const firstSeenMs = new Map<string, number>();
  const reportedOrphans = new Set<string>();

  const dnsTargetOf = (autoscale: AutoscaleConfig): DnsTarget | undefined => {
    if (!autoscale.dns) return undefined;
    const dns = dnsProviders.get(autoscale.dns.provider);
    if (!dns) return undefined;
    return {
      dnsProviderId: autoscale.dns.provider,
      dns,
      baseDomain: autoscale.dns.baseDomain,
      ttlSeconds: autoscale.dns.ttlSeconds,
    };
  };

  async function runTick(): Promise<TickResult> {
    const startMs = clock.now();
    const actions = emptyActions();
    const errors: TickResult['errors'] = [];
    const fail = (scope: string, error: unknown) => {
      errors.push({ scope, message: messageOf(error), errorClass: errorClassOf(error) });
    };
    const finish = (extra: Partial<TickResult>): TickResult => {
      const durationMs = clock.now() - startMs;
      const result: TickResult = {
        at: new Date(startMs).toISOString(),
        leader: false,
        actions,
        errors,
        durationMs,
        ...extra,
      };
      if (result.leader) emit({ type: 'tick-end', at: clock.now(), durationMs, errors: errors.length });
      last = result;
      return result;
    };

    let leadership: Awaited<ReturnType<typeof leaderElector.acquire>>;
    try {
      leadership = await leaderElector.acquire();
    } catch (error) {
      fail('leader-election', error);
      leadership = null;
    }
    if (!leadership) {
      if (leaderEpoch !== undefined) emit({ type: 'leadership-change', at: clock.now(), leader: false });
      leaderEpoch = undefined;
      return finish({ leader: false });
    }
    if (leaderEpoch !== leadership.epoch) {
      emit({
        type: 'leadership-change',
        at: clock.now(),
        leader: true,
        epoch: leadership.epoch,
        holderId: leadership.holderId,
      });
    }
    leaderEpoch = leadership.epoch;
    const epoch = leadership.epoch;
    emit({ type: 'tick-start', at: startMs, epoch });

    try {
      if (!initialized) {
        await store.init();
        initialized = true;
      }
      const plan = await reconcile({ epoch, startMs, actions, fail });
      return finish({ leader: true, epoch, ...(plan ? { plan } : {}) });
    } catch (error) {
      fail(FencedWriteError.isInstance(error) ? 'fenced' : 'tick', error);
      if (FencedWriteError.isInstance(error)) {
        emit({ type: 'leadership-change', at: clock.now(), leader: false });
        leaderEpoch = undefined;
        return finish({ leader: false });
      }
      return finish({ leader: true, epoch });
    }
  }

  async function reconcile(context: {
    epoch: number;
    startMs: number;
    actions: TickActions;
    fail: (scope: string, error: unknown) => void;
  }): Promise<ScalingPlan | undefined> {
    const { epoch, startMs: nowMs, actions, fail } = context;
    const currentConfig = config;
    const entries = listAutoscaleEntries(currentConfig);
    const entryByPool = new Map<string, Map<string, AutoscaleEntry>>();
    for (const entry of entries) {
      const byAutoscale = entryByPool.get(entry.pool.id) ?? new Map<string, AutoscaleEntry>();
      byAutoscale.set(entry.autoscale.id, entry);
      entryByPool.set(entry.pool.id, byAutoscale);
    }
    const entryOf = (pool: string, autoscale: string) => entryByPool.get(pool)?.get(autoscale);
    const nowIso = () => new Date(clock.now()).toISOString();

    // Observe.
    let inventory: FleetSnapshot;
    try {
      inventory = await options.inventory.getSnapshot({ now: nowMs });
    } catch (error) {
      fail('inventory', error);
      return undefined;
    }
    const ledger = new Map((await store.listInstances()).map((entry) => [entry.id, entry]));
    await flushCheckins({ epoch, ledger });
    const openIntents = await store.listIntents({ status: 'open' });

    const providerIds = new Set<string>([...Object.keys(currentConfig.providers)].filter((id) => providers.has(id)));
    for (const entry of ledger.values()) if (providers.has(entry.provider)) providerIds.add(entry.provider);
    for (const entry of entries) {
      if (!providers.has(entry.autoscale.provider)) {
        fail(
          `provider:${entry.autoscale.provider}`,
          new Error(`no provider adapter for provider config ${entry.autoscale.provider}`),
        );
      }
    }
    const listed = new Map<string, ProviderInstance[]>();
    await Promise.all(
      [...providerIds].map(async (id) => {
        try {
          listed.set(id, await providers.get(id)!.listInstances({ tags: { [HEADROOM_TAGS.managedBy]: managedBy } }));
        } catch (error) {
          fail(`provider:${id}`, error);
        }
      }),
    );

    // Lookups by provider instance id and by intent tag, so resolving intents and verifying the
    // ledger stay linear in the fleet size.
    const listedById = new Map<string, Map<string, ProviderInstance>>();
    const listedByIntent = new Map<string, Map<string, ProviderInstance>>();
    for (const [provider, instances] of listed) {
      const byId = new Map<string, ProviderInstance>();
      const byIntent = new Map<string, ProviderInstance>();
      for (const instance of instances) {
        byId.set(instance.instanceId, instance);
        const intentKey = instance.tags[HEADROOM_TAGS.intent];
        if (intentKey !== undefined && !byIntent.has(intentKey)) byIntent.set(intentKey, instance);
      }
      listedById.set(provider, byId);
      listedByIntent.set(provider, byIntent);
    }

    const putInstance = (instance: LedgerInstance) => store.putInstance({ epoch, instance });
    const putIntent = (intent: Intent) => store.putIntent({ epoch, intent });
    const removeInstance = async (id: string) => {
      await store.deleteInstance({ epoch, id });
      ledger.delete(id);
    };
    const saveInstance = async (instance: LedgerInstance) => {
      await putInstance(instance);
      ledger.set(instance.id, instance);
    };

    const deleteDns = async (record: {
      target: DnsTarget;
      name: string;
      reason: string;
      type?: 'A' | 'AAAA' | 'CNAME';
    }) => {
      await record.target.dns.deleteRecord({
        zone: record.target.baseDomain,
        name: record.name,
        type: record.type ?? 'A',
      });
      actions.dnsDeleted.push(record.name);
      emit({
        type: 'dns-delete',
        at: clock.now(),
        dnsProvider: record.target.dnsProviderId,
        name: record.name,
        reason: record.reason,
      });
    };
    const deleteDnsOf = async (entry: LedgerInstance, reason: string) => {
      if (!entry.dnsName) return;
      const autoscale = entryOf(entry.pool, entry.autoscale)?.autoscale;
      const target = autoscale ? dnsTargetOf(autoscale) : undefined;
      if (!target) return;
      await deleteDns({ target, name: entry.dnsName, reason, type: entry.address ? recordTypeOf(entry.address) : 'A' });
    };
    const registerDns = async (entry: LedgerInstance, address: string | undefined): Promise<LedgerInstance> => {
      if (!address) return entry;
      const autoscale = entryOf(entry.pool, entry.autoscale)?.autoscale;
      const target = autoscale ? dnsTargetOf(autoscale) : undefined;
      if (!target || !address) return entry;
      const name = `${entry.id}.${target.baseDomain}`;
      if (entry.dnsName === name && entry.address === address) return entry;
      await target.dns.upsertRecord({
        zone: target.baseDomain,
        name,
        type: recordTypeOf(address),
        value: address,
        ttlSeconds: target.ttlSeconds,
      });
      actions.dnsUpserted.push(name);
      emit({
        type: 'dns-upsert',
        at: clock.now(),
        dnsProvider: target.dnsProviderId,
        name,
        value: address,
        reason: `${entry.id} has address ${address}`,
      });
      const updated = { ...entry, dnsName: name, address };
      await saveInstance(updated);
      return updated;
    };

    // Resolve open intents (crash recovery).
    const openCreateKeys = new Set<string>();
    const openDestroyByInstance = new Map<string, Intent>();
    for (const intent of openIntents) {
      const instances = listed.get(intent.provider);
      if (intent.kind === 'destroy') {
        const gone =
          instances !== undefined &&
          (intent.providerInstanceId === undefined || !listedById.get(intent.provider)!.has(intent.providerInstanceId));
        if (gone && !ledger.has(intent.instanceName)) {
          // Crash after the ledger entry was removed, before the intent was closed.
          await putIntent({ ...intent, status: 'done', updatedAt: nowIso() });
          actions.intentsResolved += 1;
          emit({
            type: 'intent-resolved',
            at: clock.now(),
            intentKey: intent.key,
            kind: 'destroy',
            outcome: 'finished',
            reason: `${intent.instanceName} is gone and no longer in the ledger`,
          });
          continue;
        }
        openDestroyByInstance.set(intent.instanceName, intent);
        continue;
      }
      if (!instances) {
        openCreateKeys.add(intent.key);
        continue;
      }
      const found = listedByIntent.get(intent.provider)!.get(intent.key);
      if (found) {
        const existing = ledger.get(intent.instanceName);
        const autoscale = entryOf(intent.pool, intent.autoscale)?.autoscale;
        const shape: Resources =
          existing?.shape ?? found.shape ?? (autoscale ? instanceShape(autoscale) : { cores: 0, memoryMb: 0, gpus: 0 });
        await saveInstance({
          ...(existing ?? {}),
          id: intent.instanceName,
          pool: intent.pool,
          autoscale: intent.autoscale,
          provider: intent.provider,
          providerInstanceId: found.instanceId,
          state: ledgerStateOf(found.state),
          shape,
          createdAt: existing?.createdAt ?? found.createdAt ?? intent.createdAt,
          intentKey: intent.key,
        });
        await putIntent({ ...intent, status: 'done', providerInstanceId: found.instanceId, updatedAt: nowIso() });
        actions.intentsResolved += 1;
        emit({
          type: 'intent-resolved',
          at: clock.now(),
          intentKey: intent.key,
          kind: 'create',
          outcome: 'adopted',
          reason: `instance ${found.instanceId} carries the intent tag`,
        });
      } else if (nowMs - (parseInstant(intent.createdAt) ?? nowMs) >= intentGraceMs) {
        await putIntent({
          ...intent,
          status: 'failed',
          updatedAt: nowIso(),
          detail: 'no instance carries the intent tag',
        });
        const existing = ledger.get(intent.instanceName);
        if (existing && existing.providerInstanceId === undefined) await removeInstance(existing.id);
        actions.intentsResolved += 1;
        emit({
          type: 'intent-resolved',
          at: clock.now(),
          intentKey: intent.key,
          kind: 'create',
          outcome: 'failed',
          reason: `no instance carries the intent tag ${Math.floor((nowMs - (parseInstant(intent.createdAt) ?? nowMs)) / 1000)} s after the intent`,
        });
      } else {
        openCreateKeys.add(intent.key);
      }
    }

    // Forget settled intents past the retention, so the store does not grow with every action.
    if (intentsDeletedAtMs === undefined || nowMs - intentsDeletedAtMs >= INTENT_DELETE_INTERVAL_MS) {
      intentsDeletedAtMs = nowMs;
      try {
        actions.intentsDeleted += await store.deleteSettledIntents({
          epoch,
          createdBefore: new Date(nowMs - intentRetentionMs).toISOString(),
        });
      } catch (error) {
        if (FencedWriteError.isInstance(error)) throw error;
        fail('store:intents', error);
      }
    }

    // Verify the ledger against the providers.
    const destroyQueue: {
      entry: LedgerInstance;
      cause: DestroyReasonCause;
      reason: string;
      /** State to return to when an interrupted destroy is cancelled because the instance has sessions. */
      restoreState?: LedgerInstance['state'];
    }[] = [];
    for (const entry of [...ledger.values()]) {
      const instances = listed.get(entry.provider);
      if (!instances) continue;
      if (entry.providerInstanceId === undefined) {
        if (!openCreateKeys.has(entry.intentKey)) await removeInstance(entry.id);
        continue;
      }
      const found = listedById.get(entry.provider)!.get(entry.providerInstanceId);
      if (!found) {
        try {
          await deleteDnsOf(entry, `${entry.id} is gone from provider ${entry.provider}`);
        } catch (error) {
          fail(`dns:${entry.id}`, error);
          continue;
        }
        await removeInstance(entry.id);
        const destroyIntent = openDestroyByInstance.get(entry.id);
        if (destroyIntent) {
          await putIntent({ ...destroyIntent, status: 'done', updatedAt: nowIso() });
          openDestroyByInstance.delete(entry.id);
          actions.intentsResolved += 1;
          emit({
            type: 'intent-resolved',
            at: clock.now(),
            intentKey: destroyIntent.key,
            kind: 'destroy',
            outcome: 'finished',
            reason: `${entry.id} is gone from provider ${entry.provider}`,
          });
        }
        continue;
      }
      if (found.state === 'stopping') {
        if (entry.state !== 'destroying') await saveInstance({ ...entry, state: 'destroying' });
        continue;
      }
      if (entry.state === 'destroying') {
        destroyQueue.push({
          entry,
          cause: 'recovery',
          reason: `finishing the interrupted destroy of ${entry.id}`,
          restoreState: ledgerStateOf(found.state),
        });
        continue;
      }
      const notStarted = openDestroyByInstance.get(entry.id);
      if (notStarted) {
        // Crash between the destroy intent and the `destroying` ledger write: nothing was called.
        await putIntent({
          ...notStarted,
          status: 'failed',
          updatedAt: nowIso(),
          detail: 'interrupted before the provider call',
        });
        openDestroyByInstance.delete(entry.id);
        actions.intentsResolved += 1;
        emit({
          type: 'intent-resolved',
          at: clock.now(),
          intentKey: notStarted.key,
          kind: 'destroy',
          outcome: 'failed',
          reason: `the destroy of ${entry.id} was interrupted before the provider call; the planner decides again`,
        });
      }
      let updated = entry;
      const state = ledgerStateOf(found.state);
      if (state !== entry.state && entry.state !== 'draining') updated = { ...entry, state };
      if (updated !== entry) await saveInstance(updated);
      try {
        await registerDns(updated, addressOf(found));
      } catch (error) {
        fail(`dns:${entry.id}`, error);
      }
    }

    // Orphans: managed instances that neither the ledger nor an open intent accounts for.
    const knownIds = new Set<string>();
    for (const entry of ledger.values()) if (entry.providerInstanceId) knownIds.add(entry.providerInstanceId);
    const unknown: UnknownProviderInstance[] = [];
    const orphanDestroys: UnknownProviderInstance[] = [];
    for (const [provider, instances] of listed) {
      for (const instance of instances) {
        if (knownIds.has(instance.instanceId)) continue;
        unknown.push({ provider, instance });
        const intentKey = instance.tags[HEADROOM_TAGS.intent];
        if (intentKey !== undefined && openCreateKeys.has(intentKey)) continue;
        if (instance.state === 'stopping') continue;
        const createdMs = parseInstant(instance.createdAt) ?? firstSeenMs.get(instance.instanceId) ?? nowMs;
        if (!firstSeenMs.has(instance.instanceId)) firstSeenMs.set(instance.instanceId, createdMs);
        const ageSeconds = Math.floor((nowMs - createdMs) / 1000);
        if (ageSeconds < orphanOptions.graceSeconds) continue;
        actions.orphansFound.push(instance.instanceId);
        if (!reportedOrphans.has(instance.instanceId) || orphanOptions.mode === 'destroy') {
          reportedOrphans.add(instance.instanceId);
          emit({
            type: 'orphan-found',
            at: clock.now(),
            provider,
            providerInstanceId: instance.instanceId,
            name: instance.name,
            ageSeconds,
            mode: orphanOptions.mode,
            reason: `carries ${HEADROOM_TAGS.managedBy}=${managedBy} but is unknown to the state store for ${ageSeconds} s (grace ${orphanOptions.graceSeconds} s)`,
          });
        }
        if (orphanOptions.mode === 'destroy') orphanDestroys.push({ provider, instance });
      }
    }
    const unknownIds = new Set(unknown.map(({ instance }) => instance.instanceId));
    for (const id of firstSeenMs.keys()) {
      if (!unknownIds.has(id)) firstSeenMs.delete(id);
    }

    // Stale DNS records: names under a managed base domain that match no live instance.
    const liveNames = new Set<string>(ledger.keys());
    for (const intent of openIntents) liveNames.add(intent.instanceName);
    for (const instances of listed.values()) for (const instance of instances) liveNames.add(instance.name);
    const zones = new Map<string, { target: DnsTarget; entries: AutoscaleEntry[]; observed: boolean }>();
    for (const entry of entries) {
      const target = dnsTargetOf(entry.autoscale);
      if (!target) continue;
      const key = `${target.dnsProviderId}\u0000${target.baseDomain}`;
      const zone = zones.get(key) ?? { target, entries: [], observed: true };
      zone.entries.push(entry);
      if (!listed.has(entry.autoscale.provider)) zone.observed = false;
      zones.set(key, zone);
    }
    for (const zone of zones.values()) {
      if (!zone.observed) continue;
      try {
        const records = await zone.target.dns.listRecords({ zone: zone.target.baseDomain });
        for (const record of records) {
          const suffix = `.${zone.target.baseDomain}`;
          if (!record.name.endsWith(suffix)) continue;
          const label = record.name.slice(0, -suffix.length);
          if (label.includes('.') || liveNames.has(label)) continue;
          if (
            !zone.entries.some((entry) =>
              isInstanceNameOf({ label, pool: entry.pool.id, autoscale: entry.autoscale.id }),
            )
          )
            continue;
          await deleteDns({
            target: zone.target,
            name: record.name,
            type: record.type,
            reason: `stale: no live instance ${label}`,
          });
        }
      } catch (error) {
        fail(`dns:${zone.target.dnsProviderId}`, error);
      }
    }

    // Plan.
    const snapshot = mergeSnapshot({
      inventory,
      ledger: [...ledger.values()],
      unknown,
      checkins: pendingCheckins,
      nowMs,
    });
    let plannerState: PlannerState = await store.getPlannerState();
    const { plan, nextState } = computeScalingPlan({
      config: currentConfig,
      snapshot,
      state: plannerState,
      now: nowMs,
    });
    plannerState = nextState;
    await store.putPlannerState({ epoch, state: plannerState });
    emit({ type: 'plan', at: clock.now(), plan });

    // Act: destroys first (they free capacity), each checked against a fresh snapshot for sessions.
    for (const configPlan of plan.configs) {
      for (const action of configPlan.actions) {
        if (action.type !== 'destroy') continue;
        const entry = ledger.get(action.instanceId);
        if (!entry || entry.providerInstanceId === undefined) {
          actions.destroySkipped.push({
            id: action.instanceId,
            reason: 'not in the ledger with a provider instance id',
          });
          emit({
            type: 'instance-destroy-skipped',
            at: clock.now(),
            instanceId: action.instanceId,
            pool: action.pool,
            autoscale: action.autoscale,
            provider: action.provider,
            reason: `planned (${action.cause}) but not in the ledger with a provider instance id`,
          });
          continue;
        }
        if (!listed.has(entry.provider)) continue;
        destroyQueue.push({ entry, cause: action.cause, reason: action.reason });
      }
    }
    if (destroyQueue.length > 0 || orphanDestroys.length > 0) {
      let fresh: FleetSnapshot | undefined;
      try {
        fresh = await options.inventory.getSnapshot({ now: clock.now() });
      } catch (error) {
        fail('inventory', error);
      }
      const sessionsOf = (id: string): number => {
        let count = 0;
        for (const instance of [...inventory.instances, ...(fresh?.instances ?? [])]) {
          if (instance.id === id) count = Math.max(count, instance.sessions.length);
        }
        return count;
      };
      if (fresh) {
        await runPool({
          items: destroyQueue,
          concurrency: rateLimit.concurrency * Math.max(1, providers.size),
          worker: async ({ entry, cause, reason, restoreState }) => {
            const sessions = sessionsOf(entry.id);
            if (sessions > 0) {
              actions.destroySkipped.push({ id: entry.id, reason: `${sessions} session(s)` });
              const interrupted = openDestroyByInstance.get(entry.id);
              if (restoreState !== undefined) {
                // The control plane placed sessions on it after the interrupted destroy: back in service.
                await saveInstance({ ...entry, state: restoreState });
                if (interrupted) {
                  await putIntent({
                    ...interrupted,
                    status: 'failed',
                    updatedAt: nowIso(),
                    detail: `cancelled: ${sessions} session(s)`,
                  });
                  actions.intentsResolved += 1;
                  emit({
                    type: 'intent-resolved',
                    at: clock.now(),
                    intentKey: interrupted.key,
                    kind: 'destroy',
                    outcome: 'failed',
                    reason: `destroy cancelled: ${entry.id} has ${sessions} session(s)`,
                  });
                }
              }
              emit({
                type: 'instance-destroy-skipped',
                at: clock.now(),
                instanceId: entry.id,
                pool: entry.pool,
                autoscale: entry.autoscale,
                provider: entry.provider,
                reason: `has ${sessions} session(s); planned: ${reason}`,
              });
              return;
            }
            await destroyInstance({ entry, cause, reason, existingIntent: openDestroyByInstance.get(entry.id) });
          },
        });
        await runPool({
          items: orphanDestroys,
          concurrency: rateLimit.concurrency * Math.max(1, providers.size),
          worker: async ({ provider, instance }) => {
            if (sessionsOf(instance.name) > 0 || sessionsOf(instance.instanceId) > 0) return;
            const reason = `orphan: carries ${HEADROOM_TAGS.managedBy}=${managedBy} but is unknown to the state store`;
            try {
              await providers.get(provider)!.destroyInstance({ instanceId: instance.instanceId });
            } catch (error) {
              fail(`destroy:${instance.instanceId}`, error);
              return;
            }
            actions.orphansDestroyed.push(instance.instanceId);
            actions.destroyed.push({ id: instance.name, cause: 'orphan' });
            emit({
              type: 'orphan-destroyed',
              at: clock.now(),
              provider,
              providerInstanceId: instance.instanceId,
              name: instance.name,
              reason,
            });
            const pool = instance.tags[HEADROOM_TAGS.pool];
            const autoscale = instance.tags[HEADROOM_TAGS.autoscale];
            const autoscaleConfig = pool && autoscale ? entryOf(pool, autoscale)?.autoscale : undefined;
            const target = autoscaleConfig ? dnsTargetOf(autoscaleConfig) : undefined;
            const address = addressOf(instance);
            if (target && address) {
              try {
                await deleteDns({
                  target,
                  name: `${instance.name}.${target.baseDomain}`,
                  type: recordTypeOf(address),
                  reason,
                });
              } catch (error) {
                fail(`dns:${instance.name}`, error);
              }
            }
          },
        });
      }
    }

    // Act: creates, each behind an intent and a `requested` ledger entry.
    const creates: { entry: AutoscaleEntry; shape: Resources; reason: string }[] = [];
    for (const configPlan of plan.configs) {
      for (const action of configPlan.actions) {
        if (action.type !== 'create') continue;
        const entry = entryOf(action.pool, action.autoscale);
        if (!entry || !listed.has(action.provider) || !providers.has(action.provider)) continue;
        for (let index = 0; index < action.count; index++)
          creates.push({ entry, shape: action.shape, reason: action.reason });
      }
    }
    const failedConfigs = new Set<string>();
    await runPool({
      items: creates,
      concurrency: rateLimit.concurrency * Math.max(1, providers.size),
      worker: async ({ entry, shape, reason }) => {
        const key = `${entry.pool.id}/${entry.autoscale.id}`;
        if (failedConfigs.has(key) || stopped) return;
        const failed = await createInstance({ entry, shape, reason });
        if (failed && !failedConfigs.has(key)) {
          // One failure per config and tick: creates that ran in parallel failed for the same cause.
          failedConfigs.add(key);
          plannerState = recordCreateFailure(plannerState, {
            pool: entry.pool.id,
            autoscale: entry.autoscale.id,
            atMs: clock.now(),
          });
        }
      },
    });
    if (failedConfigs.size > 0) await store.putPlannerState({ epoch, state: plannerState });
    return plan;

    async function destroyInstance(job: {
      entry: LedgerInstance;
      cause: DestroyReasonCause;
      reason: string;
      existingIntent: Intent | undefined;
    }): Promise<void> {
      const { entry, cause, reason } = job;
      const providerInstanceId = entry.providerInstanceId!;
      const ref = { instanceId: entry.id, pool: entry.pool, autoscale: entry.autoscale, provider: entry.provider };
      const intent: Intent = job.existingIntent
        ? { ...job.existingIntent, attempts: job.existingIntent.attempts + 1, updatedAt: nowIso() }
        : {
            key: `destroy-${entry.id}`,
            kind: 'destroy',
            pool: entry.pool,
            autoscale: entry.autoscale,
            provider: entry.provider,
            instanceName: entry.id,
            providerInstanceId,
            status: 'open',
            attempts: 1,
            createdAt: nowIso(),
            updatedAt: nowIso(),
            detail: reason,
          };
      await putIntent(intent);
      if (entry.state !== 'destroying') await saveInstance({ ...entry, state: 'destroying' });
      emit({ type: 'instance-destroy-start', at: clock.now(), ...ref, providerInstanceId, cause, reason });
      try {
        await providers.get(entry.provider)!.destroyInstance({ instanceId: providerInstanceId });
      } catch (error) {
        actions.destroyFailed += 1;
        fail(`destroy:${entry.id}`, error);
        await putIntent({ ...intent, updatedAt: nowIso(), detail: `${reason}; last error: ${messageOf(error)}` });
        emit({
          type: 'instance-destroy-error',
          at: clock.now(),
          ...ref,
          providerInstanceId,
          cause,
          reason,
          errorClass: errorClassOf(error),
          message: messageOf(error),
        });
        return;
      }
      try {
        await deleteDnsOf(entry, `${entry.id} destroyed`);
      } catch (error) {
        // The ledger keeps the instance as `destroying`; the next tick deletes the record once the instance is gone.
        fail(`dns:${entry.id}`, error);
        return;
      }
      await removeInstance(entry.id);
      await putIntent({ ...intent, status: 'done', updatedAt: nowIso() });
      actions.destroyed.push({ id: entry.id, cause });
      emit({ type: 'instance-destroy-end', at: clock.now(), ...ref, providerInstanceId, cause, reason });
    }

    /** Creates one instance; resolves true when the create failed (and was cleaned up). */
    async function createInstance(job: { entry: AutoscaleEntry; shape: Resources; reason: string }): Promise<boolean> {
      const { entry, shape, reason } = job;
      const pool = entry.pool.id;
      const autoscale = entry.autoscale.id;
      const providerId = entry.autoscale.provider;
      const provider = providers.get(providerId)!;
      intentSequence += 1;
      const key = createIntentKey({ managedBy, pool, autoscale, nowMs: clock.now(), sequence: intentSequence, random });
      const name = instanceNameFor({ pool, autoscale, intentKey: key });
      const ref = { instanceId: name, pool, autoscale, provider: providerId };

      let startupScript: string | undefined;
      try {
        startupScript = await renderScript({ entry, name });
      } catch (error) {
        actions.createFailed += 1;
        fail(`create:${name}`, error);
        emit({
          type: 'instance-create-error',
          at: clock.now(),
          ...ref,
          intentKey: key,
          reason,
          errorClass: errorClassOf(error),
          message: messageOf(error),
          cleanedUp: 0,
        });
        return true;
      }

      const createdAt = nowIso();
      const intent: Intent = {
        key,
        kind: 'create',
        pool,
        autoscale,
        provider: providerId,
        instanceName: name,
        status: 'open',
        attempts: 1,
        createdAt,
        updatedAt: createdAt,
        detail: reason,
      };
      await putIntent(intent);
      const requested: LedgerInstance = {
        id: name,
        pool,
        autoscale,
        provider: providerId,
        state: 'requested',
        shape,
        createdAt,
        intentKey: key,
      };
      await saveInstance(requested);
      emit({ type: 'instance-create-start', at: clock.now(), ...ref, intentKey: key, reason });

      let instance: ProviderInstance;
      try {
        instance = await provider.createInstance({
          name,
          idempotencyKey: key,
          tags: buildManagedTags({ managedBy, pool, autoscale, intentKey: key }),
          shape,
          ...(startupScript !== undefined ? { startupScript } : {}),
        });
      } catch (error) {
        actions.createFailed += 1;
        fail(`create:${name}`, error);
        let cleanedUp = 0;
        let cleanupFailed = false;
        try {
          const leftovers = await provider.listInstances({ tags: { [HEADROOM_TAGS.intent]: key } });
          for (const leftover of leftovers) {
            await provider.destroyInstance({ instanceId: leftover.instanceId });
            cleanedUp += 1;
          }
        } catch (cleanupError) {
          fail(`cleanup:${name}`, cleanupError);
          cleanupFailed = true;
        }
        if (cleanupFailed) {
          // The intent stays open and the ledger keeps the `requested` entry (counted as pending):
          // the next ticks resolve it by its tag.
          await putIntent({
            ...intent,
            updatedAt: nowIso(),
            detail: `create failed: ${messageOf(error)}; cleanup pending`,
          });
        } else {
          await putIntent({
            ...intent,
            status: 'failed',
            updatedAt: nowIso(),
            detail: `create failed: ${messageOf(error)}`,
          });
          await removeInstance(name);
        }
        emit({
          type: 'instance-create-error',
          at: clock.now(),
          ...ref,
          intentKey: key,
          reason,
          errorClass: errorClassOf(error),
          message: messageOf(error),
          cleanedUp,
        });
        return true;
      }

      const created: LedgerInstance = {
        ...requested,
        providerInstanceId: instance.instanceId,
        state: ledgerStateOf(instance.state),
      };
      await saveInstance(created);
      await putIntent({ ...intent, status: 'done', providerInstanceId: instance.instanceId, updatedAt: nowIso() });
      actions.created.push(name);
      emit({
        type: 'instance-create-end',
        at: clock.now(),
        ...ref,
        intentKey: key,
        providerInstanceId: instance.instanceId,
        reason,
      });
      try {
        await registerDns(created, addressOf(instance));
      } catch (error) {
        fail(`dns:${name}`, error);
      }
      return false;
    }

    async function renderScript(job: { entry: AutoscaleEntry; name: string }): Promise<string | undefined> {
      const { entry, name } = job;
      const providerConfig = currentConfig.providers[entry.autoscale.provider];
      const template = entry.autoscale.startupScript ?? providerConfig?.startupScript;
      if (template === undefined) return undefined;
      const target = dnsTargetOf(entry.autoscale);
      const defaults: StartupScriptValues = {
        server_id: name,
        server_hostname: name,
        server_external_fqdn: target ? `${name}.${target.baseDomain}` : name,
        provider_name: providerConfig?.name ?? entry.autoscale.provider,
        ...(target ? { domain: target.baseDomain } : {}),
      };
      const extra = options.startupScriptValues
        ? await options.startupScriptValues({
            id: name,
            pool: entry.pool.id,
            autoscale: entry.autoscale.id,
            provider: entry.autoscale.provider,
          })
        : {};
      return renderStartupScript({ template, values: { ...defaults, ...extra } });
    }
  }

  /**
   * Writes pending check-ins to the ledger. `ledger` (by id) is the tick's copy when it has one:
   * it is read from the store otherwise, and updated in place with what was written.
   */
  async function flushCheckins(flush: { epoch: number; ledger?: Map<string, LedgerInstance> }): Promise<void> {
    if (pendingCheckins.size === 0) return;
    const ledger = flush.ledger ?? new Map((await store.listInstances()).map((entry) => [entry.id, entry] as const));
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
      }
      pendingCheckins.delete(id);
    }
  }

  const autoscaler: Autoscaler = {
    tick() {
      if (running) return running;
      running = runTick().finally(() => {
        running = undefined;
      });
      return running;
    },
    start() {
      if (loop) return;
      stopped = false;
      loopAbort = new AbortController();
      const signal = loopAbort.signal;
      loop = (async () => {
        while (!stopped) {
          await autoscaler.tick();
          if (stopped) break;
          try {
            await timers.sleep(tickIntervalSeconds(config) * 1000, signal);
          } catch {
            break;
          }
        }
      })();
    },
    async stop() {
      stopped = true;
      loopAbort?.abort(new Error('autoscaler stopped'));
      await loop;
      loop = undefined;
      if (running) await running.catch(() => undefined);
      if (leaderEpoch !== undefined) {
        await leaderElector.release();
        emit({ type: 'leadership-change', at: clock.now(), leader: false });
        leaderEpoch = undefined;
      }
    },
    updateConfig(next) {
      config = next;
    },
    async recordCheckin({ instanceId, at }) {
      pendingCheckins.set(instanceId, at);
      if (leaderEpoch === undefined || running) return;
      try {
        await flushCheckins({ epoch: leaderEpoch });
      } catch (error) {
        if (!FencedWriteError.isInstance(error)) throw error;
      }
    },
    lastTick: () => last,
  };
  return autoscaler;
}
