import type { HeadroomConfig, StagingConfig } from '../config/config-schema.js';
import type { AutoscaleEntry } from '../config/config-views.js';
import type { FleetSnapshot } from '../model/instance.js';
import { formatResources } from '../model/resources.js';
import { autoscaleKey, type StagingRequest, type StagingState } from './planner-state.js';
import {
  type StagedSessionEntry,
  type StagingCandidate,
  stagingZone,
  takeStagingInventory,
} from './staging-inventory.js';
import { placeStagedSessions, reserveRoom } from './staging-placement.js';
import type { StagingAction, StagingConfigPlan, StagingPlan } from './staging-types.js';

export interface PlanStagingOptions {
  config: HeadroomConfig;
  snapshot: FleetSnapshot;
  /** Staging state of the previous step (`PlannerState.staging`). */
  state: Record<string, StagingState> | undefined;
  now: number;
  /** Autoscale configs by `autoscaleKey`, with whether each is enabled and inside its schedule. */
  entries: ReadonlyMap<string, { entry: AutoscaleEntry; active: boolean }>;
  /** Instances this plan destroys: no staging goes onto them. */
  excluded: ReadonlySet<string>;
}

const HOUR_MS = 3_600_000;
const round = (value: number) => Math.round(value * 100) / 100;

/** One staging config after its in-flight requests are settled against the snapshot. */
interface SettledStaging {
  staging: StagingConfig;
  entry: AutoscaleEntry | undefined;
  active: boolean;
  zone: string;
  owned: StagedSessionEntry[];
  kept: StagingRequest[];
  /** Staged sessions still expected from stage requests, per instance id. */
  pendingByInstance: Map<string, number>;
  destroying: Set<string>;
  candidates: StagingCandidate[];
  reasons: string[];
}

/**
 * The staging part of one planning step (issue 19). Pure: per staging config, stage the missing
 * sessions on running agents of its autoscale config in its zone (by the pool's placement rule),
 * expire unassigned staged sessions older than `expirationHours`, and remove those of an
 * inactive config or above `desiredSessions`. Requests made by earlier steps and not yet visible
 * in the snapshot are remembered in state, so a step repeated on the same snapshot asks for
 * nothing new; a request unanswered after `requestTimeoutSeconds` is asked again.
 */
export function planStaging(options: PlanStagingOptions): {
  plan: StagingPlan;
  nextState: Record<string, StagingState>;
} {
  const { config, snapshot, now, entries } = options;
  const autoscaleEntries = new Map([...entries].map(([key, value]) => [key, value.entry]));
  const inventory = takeStagingInventory({
    snapshot,
    staging: config.staging,
    entries: autoscaleEntries,
    excluded: options.excluded,
  });
  const instanceIds = new Set(snapshot.instances.map((instance) => instance.id));
  // Settle every config first, so the room its requests in flight will take is reserved before
  // any config places new sessions.
  const settled = config.staging.map((staging) => {
    const key = autoscaleKey(staging.pool, staging.autoscale);
    const found = entries.get(key);
    const zone = stagingZone(staging, found?.entry.autoscale.zone ?? 'default');
    const candidates = (inventory.candidates.get(key) ?? []).filter((candidate) => candidate.zone === zone);
    const result = settleInFlight({
      staging,
      records: options.state?.[staging.id]?.inFlight ?? [],
      owned: inventory.byConfig.get(staging.id) ?? [],
      instanceIds,
      now,
    });
    for (const candidate of candidates) {
      const pending = result.pendingByInstance.get(candidate.instance.id) ?? 0;
      if (pending > 0) reserveRoom(candidate, staging.session, pending);
    }
    return { staging, entry: found?.entry, active: found?.active ?? false, zone, candidates, ...result };
  });
  const configs = settled.map((entry) => decideStaging(entry, config, now));
  const nextState: Record<string, StagingState> = {};
  for (const { plan, inFlight } of configs) if (inFlight.length > 0) nextState[plan.staging] = { inFlight };
  const orphanActions = inventory.orphans.map((found) => removal(found, null, 'unknown-config', orphanReason(found)));
  const plans = configs.map((entry) => entry.plan);
  return {
    plan: {
      configs: plans,
      actions: [...plans.flatMap((plan) => plan.actions), ...orphanActions],
      warnings: [],
    },
    nextState,
  };
}

const orphanReason = (found: StagedSessionEntry) =>
  `remove ${found.session.id} on ${found.instance.id}: no staging config ${found.session.stagingConfig !== undefined ? `"${found.session.stagingConfig}" exists` : `stages workspace ${found.session.workspace ?? '(none)'} in pool ${found.instance.pool}, zone ${found.zone}`}`;

/** Drops answered and timed-out requests; what stays is in flight. */
function settleInFlight(options: {
  staging: StagingConfig;
  records: readonly StagingRequest[];
  owned: StagedSessionEntry[];
  instanceIds: ReadonlySet<string>;
  now: number;
}): Pick<SettledStaging, 'owned' | 'kept' | 'pendingByInstance' | 'destroying' | 'reasons'> {
  const { staging, records, owned, now } = options;
  const timeoutMs = staging.requestTimeoutSeconds * 1000;
  const reasons: string[] = [];
  const kept: StagingRequest[] = [];
  const pendingByInstance = new Map<string, number>();
  const destroying = new Set<string>();
  const credited = new Set<string>();
  const ownedIds = new Set(owned.map((found) => found.session.id));
  for (const record of records) {
    const requestedMs = Date.parse(record.requestedAt);
    const ageSeconds = Math.floor((now - requestedMs) / 1000);
    if (record.kind === 'destroy') {
      if (!ownedIds.has(record.sessionId)) continue;
      if (now - requestedMs >= timeoutMs) {
        reasons.push(`destroy of ${record.sessionId} unanswered after ${ageSeconds} s; asking again`);
        continue;
      }
      kept.push(record);
      destroying.add(record.sessionId);
      continue;
    }
    if (!options.instanceIds.has(record.instanceId)) continue;
    const arrived = owned.filter(
      (found) =>
        found.instance.id === record.instanceId &&
        !credited.has(found.session.id) &&
        found.createdMs !== undefined &&
        found.createdMs >= requestedMs,
    );
    const seen = arrived.slice(0, record.count);
    for (const found of seen) credited.add(found.session.id);
    const remaining = record.count - seen.length;
    if (remaining <= 0) continue;
    if (now - requestedMs >= timeoutMs) {
      reasons.push(
        `${remaining} of ${record.count} staged session(s) requested on ${record.instanceId} ${ageSeconds} s ago did not appear (timeout ${staging.requestTimeoutSeconds} s); asking again`,
      );
      continue;
    }
    kept.push(record);
    pendingByInstance.set(record.instanceId, (pendingByInstance.get(record.instanceId) ?? 0) + remaining);
    reasons.push(`waiting for ${remaining} staged session(s) requested on ${record.instanceId} ${ageSeconds} s ago`);
  }
  return { owned, kept, pendingByInstance, destroying, reasons };
}

type DestroyAction = Extract<StagingAction, { type: 'expire-staged' | 'remove-staged' }>;

function removal(
  found: StagedSessionEntry,
  staging: StagingConfig | null,
  cause: 'config-inactive' | 'excess' | 'unknown-config',
  reason: string,
): DestroyAction {
  return {
    type: 'remove-staged',
    staging: staging?.id ?? null,
    pool: found.instance.pool,
    zone: found.zone,
    workspace: found.session.workspace ?? '',
    instanceId: found.instance.id,
    sessionId: found.session.id,
    cause,
    reason,
  };
}

/** Oldest first; sessions of unknown age count as oldest; then by id. */
const byAge = (a: StagedSessionEntry, b: StagedSessionEntry) =>
  (a.createdMs ?? Number.NEGATIVE_INFINITY) - (b.createdMs ?? Number.NEGATIVE_INFINITY) ||
  (a.session.id < b.session.id ? -1 : a.session.id > b.session.id ? 1 : 0);

/** The actions of one settled staging config. */
function decideStaging(
  settled: SettledStaging,
  config: HeadroomConfig,
  now: number,
): { plan: StagingConfigPlan; inFlight: StagingRequest[] } {
  const { staging, active, zone } = settled;
  const actions: StagingAction[] = [];
  const reasons = [...settled.reasons];
  const warnings: string[] = [];
  const inFlight = [...settled.kept];
  const requestedAt = new Date(now).toISOString();
  const destroy = (action: DestroyAction) => {
    actions.push(action);
    reasons.push(action.reason);
    inFlight.push({ kind: 'destroy', instanceId: action.instanceId, sessionId: action.sessionId, requestedAt });
  };
  const live = settled.owned.filter((found) => !settled.destroying.has(found.session.id)).sort(byAge);
  const unknownAge = live.filter((found) => found.createdMs === undefined).length;
  if (unknownAge > 0 && staging.expirationHours > 0)
    warnings.push(`${unknownAge} staged session(s) carry no createdAt in the snapshot; they cannot expire`);
  const expiryMs = staging.expirationHours * HOUR_MS;
  const expired = live.filter(
    (found) => expiryMs > 0 && found.createdMs !== undefined && now - found.createdMs >= expiryMs,
  );
  const fresh = live.filter((found) => !expired.includes(found));
  const pending = [...settled.pendingByInstance.values()].reduce((sum, count) => sum + count, 0);
  const base = { staging: staging.id, pool: staging.pool, zone, workspace: staging.workspace };

  if (!active) {
    const why = settled.entry?.autoscale.enabled === false ? 'disabled' : 'outside its schedule';
    for (const found of live) {
      destroy(
        removal(
          found,
          staging,
          'config-inactive',
          `remove ${found.session.id} on ${found.instance.id}: staging config ${staging.id} is inactive (autoscale config ${staging.pool}/${staging.autoscale} is ${why}); unused staged sessions are removed`,
        ),
      );
    }
    if (live.length === 0)
      reasons.push(`inactive: autoscale config ${staging.pool}/${staging.autoscale} is ${why}; nothing staged`);
  } else {
    for (const found of expired) {
      const ageHours = round((now - found.createdMs!) / HOUR_MS);
      destroy({
        ...base,
        type: 'expire-staged',
        instanceId: found.instance.id,
        sessionId: found.session.id,
        ageHours,
        reason: `expire ${found.session.id} on ${found.instance.id}: unassigned for ${ageHours} h ≥ expirationHours ${staging.expirationHours}; it is re-staged`,
      });
    }
    const have = fresh.length + pending;
    const haveText = `${fresh.length} staged, ${pending} pending, ${expired.length} expired; desiredSessions ${staging.desiredSessions}`;
    if (have > staging.desiredSessions) {
      for (const found of fresh.slice(0, Math.min(fresh.length, have - staging.desiredSessions))) {
        destroy(
          removal(
            found,
            staging,
            'excess',
            `remove ${found.session.id} on ${found.instance.id}: excess staged session (${haveText})`,
          ),
        );
      }
    } else if (have < staging.desiredSessions) {
      stageMissing({
        settled,
        config,
        missing: staging.desiredSessions - have,
        haveText,
        actions,
        reasons,
        inFlight,
        requestedAt,
      });
    } else if (expired.length === 0) {
      reasons.push(`no action: ${haveText}`);
    }
  }
  return {
    plan: {
      ...base,
      autoscale: staging.autoscale,
      active,
      desired: staging.desiredSessions,
      staged: active ? fresh.length : 0,
      pending,
      actions,
      reasons,
      warnings,
    },
    inFlight,
  };
}

/** Places the missing staged sessions and records the stage requests. */
function stageMissing(options: {
  settled: SettledStaging;
  config: HeadroomConfig;
  missing: number;
  haveText: string;
  actions: StagingAction[];
  reasons: string[];
  inFlight: StagingRequest[];
  requestedAt: string;
}): void {
  const { settled, missing, haveText, actions, reasons, inFlight, requestedAt } = options;
  const { staging, zone } = settled;
  const pool = options.config.pools.find((candidate) => candidate.id === staging.pool);
  const placement = pool?.kind === 'docker-agent' ? pool.placement : 'spread';
  const placed = placeStagedSessions({
    candidates: settled.candidates,
    size: staging.session,
    count: missing,
    placement,
  });
  let total = 0;
  for (const [instanceId, count] of placed) {
    total += count;
    const reason = `stage ${count} × ${staging.workspace} (${formatResources(staging.session)} each) on ${instanceId} in zone ${zone}: ${haveText}; placement ${placement}`;
    actions.push({
      type: 'stage',
      staging: staging.id,
      pool: staging.pool,
      autoscale: staging.autoscale,
      zone,
      workspace: staging.workspace,
      instanceId,
      count,
      reason,
    });
    reasons.push(reason);
    inFlight.push({ kind: 'stage', instanceId, count, requestedAt });
  }
  if (total < missing) {
    reasons.push(
      `${missing - total} staged session(s) have no room on running agents of ${staging.pool}/${staging.autoscale} in zone ${zone}; the autoscale config's staging need asks for capacity`,
    );
  }
}
