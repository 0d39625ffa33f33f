import type { DockerAgentAutoscaleConfig, HeadroomConfig, ServerAutoscaleConfig, StagingConfig } from '../config/config-schema.js';
import { type AutoscaleEntry, checkinTimeoutSeconds, listAutoscaleEntries } from '../config/config-views.js';
import type { FleetSnapshot, Instance } from '../model/instance.js';
import { RESOURCE_KEYS, type ResourceKey, type Resources, formatResources } from '../model/resources.js';
import { isActive } from '../schedule/evaluate-schedule.js';
import { withFailure } from './failure-backoff.js';
import { type AutoscaleState, type PlannerState, autoscaleKey, initialAutoscaleState } from './planner-state.js';
import type { ConfigPlan, PlanAction, ScalingPlan } from './scaling-plan.js';

export interface ComputeScalingPlanOptions {
  config: HeadroomConfig;
  snapshot: FleetSnapshot;
  state: PlannerState;
  /** The instant to plan for, in milliseconds since the epoch. */
  now: number;
}

export interface ComputeScalingPlanResult {
  plan: ScalingPlan;
  nextState: PlannerState;
}

const PENDING_STATES = new Set(['requested', 'creating', 'starting']);

/** Instances of one autoscale config, gathered in one pass over the snapshot. */
interface ConfigInstances {
  instances: Instance[];
}

const round = (value: number) => Math.round(value * 1000) / 1000;
const roundResources = (r: Resources): Resources => ({ cores: round(r.cores), memoryMb: round(r.memoryMb), gpus: round(r.gpus) });
const parseInstant = (iso: string): number => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
};

/**
 * One planning step (DESIGN §5). Pure and deterministic: no I/O, no timers, no `Date.now()`.
 * Every action and every "no action" carries a reason with its numbers.
 */
export function computeScalingPlan({ config, snapshot, state, now }: ComputeScalingPlanOptions): ComputeScalingPlanResult {
  const entries = listAutoscaleEntries(config);
  const byPool = new Map<string, Map<string, ConfigInstances>>();
  for (const entry of entries) {
    let pool = byPool.get(entry.pool.id);
    if (!pool) {
      pool = new Map();
      byPool.set(entry.pool.id, pool);
    }
    pool.set(entry.autoscale.id, { instances: [] });
  }

  const instancesPerProvider = new Map<string, number>();
  const planWarnings: string[] = [];
  for (const instance of snapshot.instances) {
    instancesPerProvider.set(instance.provider, (instancesPerProvider.get(instance.provider) ?? 0) + 1);
    const group = byPool.get(instance.pool)?.get(instance.autoscale);
    if (group) group.instances.push(instance);
    else planWarnings.push(`instance ${instance.id} belongs to unknown autoscale config ${instance.pool}/${instance.autoscale}; ignored (it still counts against provider ${instance.provider})`);
  }

  const stagingByConfig = new Map<string, StagingConfig[]>();
  for (const staging of config.staging) {
    const key = autoscaleKey(staging.pool, staging.autoscale);
    const list = stagingByConfig.get(key) ?? [];
    list.push(staging);
    stagingByConfig.set(key, list);
  }

  // Queued requests of a pool count toward its first enabled, active config with aggressive scaling.
  const queuedOwner = new Map<string, string>();
  const activeByKey = new Map<string, boolean>();
  for (const entry of entries) {
    const key = autoscaleKey(entry.pool.id, entry.autoscale.id);
    const active = entry.autoscale.enabled && isActive(entry.autoscale.schedules, now);
    activeByKey.set(key, active);
    if (active && entry.autoscale.aggressiveScaling && !queuedOwner.has(entry.pool.id)) queuedOwner.set(entry.pool.id, key);
  }

  const nextAutoscale: Record<string, AutoscaleState> = {};
  const plannedCreatesPerProvider = new Map<string, number>();
  const configs: ConfigPlan[] = [];
  for (const entry of entries) {
    const key = autoscaleKey(entry.pool.id, entry.autoscale.id);
    const group = byPool.get(entry.pool.id)!.get(entry.autoscale.id)!;
    const previous = state.autoscale[key] ?? initialAutoscaleState();
    const context: PlanContext = {
      entry,
      instances: group.instances,
      state: previous,
      now,
      active: activeByKey.get(key) ?? false,
      queued: queuedOwner.get(entry.pool.id) === key ? snapshot.queued.filter((request) => request.pool === entry.pool.id) : [],
      staging: stagingByConfig.get(key) ?? [],
      providerTotal: instancesPerProvider.get(entry.autoscale.provider) ?? 0,
      providerPlanned: plannedCreatesPerProvider.get(entry.autoscale.provider) ?? 0,
      maxInstances: config.providers[entry.autoscale.provider]?.maxInstances ?? 0,
    };
    const { plan, nextState } =
      entry.kind === 'docker-agent' ? planDockerAgents(context, entry.autoscale) : planServers(context, entry.autoscale);
    plannedCreatesPerProvider.set(entry.autoscale.provider, context.providerPlanned + plan.create);
    nextAutoscale[key] = nextState;
    configs.push(plan);
  }

  return {
    plan: { at: new Date(now).toISOString(), configs, warnings: planWarnings },
    nextState: { autoscale: nextAutoscale },
  };
}

interface PlanContext {
  entry: AutoscaleEntry;
  instances: Instance[];
  state: AutoscaleState;
  now: number;
  active: boolean;
  queued: FleetSnapshot['queued'];
  staging: StagingConfig[];
  /** Instances of this config's provider in any state, across all configs. */
  providerTotal: number;
  /** Creates already planned for this provider by earlier configs of this plan. */
  providerPlanned: number;
  maxInstances: number;
}

/** Check-in timeouts, failed instances and the failure-backoff reset, shared by both pool kinds. */
function settleLifecycle(
  context: PlanContext,
  requireCheckin: boolean,
): { destroyed: Set<string>; actions: PlanAction[]; reasons: string[]; warnings: string[]; state: AutoscaleState } {
  const { entry, now } = context;
  const timeoutSeconds = checkinTimeoutSeconds(entry.autoscale);
  const destroyed = new Set<string>();
  const actions: PlanAction[] = [];
  const reasons: string[] = [];
  const warnings: string[] = [];
  let state = context.state;
  const base = { pool: entry.pool.id, autoscale: entry.autoscale.id, provider: entry.autoscale.provider };

  if (state.consecutiveFailures > 0 && state.lastFailureAt) {
    const lastFailureMs = parseInstant(state.lastFailureAt);
    const success = context.instances.find(
      (instance) =>
        instance.state === 'running' && (instance.checkedIn || !requireCheckin) && parseInstant(instance.createdAt) > lastFailureMs,
    );
    if (success) {
      reasons.push(`failure backoff reset: ${success.id} came up after ${state.consecutiveFailures} consecutive failure(s)`);
      state = { ...state, consecutiveFailures: 0, lastFailureAt: null, createBlockedUntil: null };
    }
  }

  for (const instance of context.instances) {
    if (instance.state === 'failed') {
      if (instance.sessions.length > 0) {
        warnings.push(`${instance.id} is failed but has ${instance.sessions.length} session(s); not destroyed`);
        continue;
      }
      destroyed.add(instance.id);
      state = withFailure(state, now);
      actions.push({ ...base, type: 'destroy', instanceId: instance.id, cause: 'failed', reason: `destroy ${instance.id}: instance failed (failure ${state.consecutiveFailures})` });
      continue;
    }
    if (timeoutSeconds === undefined || instance.checkedIn) continue;
    if (instance.state === 'destroying' || instance.state === 'draining') continue;
    const ageSeconds = (now - parseInstant(instance.createdAt)) / 1000;
    if (ageSeconds < timeoutSeconds) continue;
    if (instance.sessions.length > 0) {
      warnings.push(`${instance.id} has not checked in after ${Math.floor(ageSeconds)} s but has sessions; not destroyed`);
      continue;
    }
    destroyed.add(instance.id);
    state = withFailure(state, now);
    actions.push({
      ...base,
      type: 'destroy',
      instanceId: instance.id,
      cause: 'checkin-timeout',
      reason: `destroy ${instance.id}: no check-in ${Math.floor(ageSeconds)} s after creation (timeout ${timeoutSeconds} s); failure ${state.consecutiveFailures}, creates blocked until ${state.createBlockedUntil}`,
    });
  }
  return { destroyed, actions, reasons, warnings, state };
}

/** How many creates the provider's `maxInstances` and the failure backoff allow. */
function allowCreates(
  context: PlanContext,
  state: AutoscaleState,
  wanted: number,
  reasons: string[],
): { count: number; capped: boolean } {
  if (wanted <= 0) return { count: 0, capped: false };
  const blockedUntilMs = state.createBlockedUntil ? parseInstant(state.createBlockedUntil) : 0;
  if (blockedUntilMs > context.now) {
    reasons.push(
      `wanted ${wanted} new instance(s), but creates are backed off for ${Math.ceil((blockedUntilMs - context.now) / 1000)} s after ${state.consecutiveFailures} consecutive failure(s)`,
    );
    return { count: 0, capped: true };
  }
  const room = Math.max(0, context.maxInstances - context.providerTotal - context.providerPlanned);
  if (wanted > room) {
    reasons.push(
      `wanted ${wanted} new instance(s), capped to ${room} by provider ${context.entry.autoscale.provider} maxInstances ${context.maxInstances} (${context.providerTotal} exist, ${context.providerPlanned} planned by other configs)`,
    );
    return { count: room, capped: true };
  }
  return { count: wanted, capped: false };
}

/** Scale-down bookkeeping shared by both kinds: the surplus must last the backoff without interruption. */
function applyDownscaleBackoff(
  context: PlanContext,
  state: AutoscaleState,
  removable: Instance[],
  backoffSeconds: number,
  describe: (instance: Instance) => string,
  actions: PlanAction[],
  reasons: string[],
): AutoscaleState {
  const { entry, now } = context;
  if (removable.length === 0) return { ...state, surplusSince: null };
  const since = state.surplusSince ?? new Date(now).toISOString();
  const lastedSeconds = (now - parseInstant(since)) / 1000;
  if (lastedSeconds < backoffSeconds) {
    reasons.push(
      `surplus of ${removable.length} idle instance(s) for ${Math.floor(lastedSeconds)} s; waiting for downscale backoff ${backoffSeconds} s (${Math.ceil(backoffSeconds - lastedSeconds)} s left)`,
    );
    return { ...state, surplusSince: since };
  }
  for (const instance of removable) {
    actions.push({
      type: 'destroy',
      pool: entry.pool.id,
      autoscale: entry.autoscale.id,
      provider: entry.autoscale.provider,
      instanceId: instance.id,
      cause: 'scale-down',
      reason: `scale down ${instance.id}: ${describe(instance)}; surplus lasted ${Math.floor(lastedSeconds)} s ≥ backoff ${backoffSeconds} s`,
    });
  }
  return { ...state, surplusSince: null };
}

/** Idle, checked-in, running instances in removal order: oldest first, then by id. */
function scaleDownCandidates(instances: Instance[], requireCheckin: boolean, destroyed: Set<string>): Instance[] {
  return instances
    .filter(
      (instance) =>
        instance.state === 'running' &&
        instance.sessions.length === 0 &&
        (instance.checkedIn || !requireCheckin) &&
        !destroyed.has(instance.id),
    )
    .sort((a, b) => parseInstant(a.createdAt) - parseInstant(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function planDockerAgents(
  context: PlanContext,
  autoscale: DockerAgentAutoscaleConfig,
): { plan: ConfigPlan; nextState: AutoscaleState } {
  const { entry, active } = context;
  const requireCheckin = checkinTimeoutSeconds(autoscale) !== undefined;
  const agent = autoscale.agent;
  const available: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
  const pending: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
  const need: Resources = { cores: 0, memoryMb: 0, gpus: 0 };

  const base = {
    pool: entry.pool.id,
    autoscale: autoscale.id,
    provider: autoscale.provider,
    kind: 'docker-agent' as const,
    enabled: autoscale.enabled,
    active,
  };
  if (!autoscale.enabled) {
    return {
      plan: {
        ...base,
        need,
        available,
        pending,
        deficit: need,
        create: 0,
        destroy: [],
        actions: [],
        reasons: [`disabled: plans nothing; its ${context.instances.length} instance(s) are never deleted by the engine`],
        warnings: [],
        unsatisfiable: [],
        capped: false,
      },
      nextState: { ...context.state, surplusSince: null },
    };
  }

  const lifecycle = settleLifecycle(context, requireCheckin);
  const { actions, reasons, warnings, destroyed } = lifecycle;
  let state = lifecycle.state;

  const stagingWorkspaces = context.staging.length > 0 ? new Map<string, number>() : undefined;
  for (const instance of context.instances) {
    if (stagingWorkspaces) {
      for (const session of instance.sessions) {
        if (session.staged && session.workspace !== undefined) {
          stagingWorkspaces.set(session.workspace, (stagingWorkspaces.get(session.workspace) ?? 0) + 1);
        }
      }
    }
    if (destroyed.size > 0 && destroyed.has(instance.id)) continue;
    const capacity = instance.capacity;
    if (PENDING_STATES.has(instance.state) || (instance.state === 'running' && requireCheckin && !instance.checkedIn)) {
      pending.cores += capacity.cores;
      pending.memoryMb += capacity.memoryMb;
      pending.gpus += capacity.gpus;
      continue;
    }
    if (instance.state !== 'running' || !active) continue;
    let cores = capacity.cores;
    let memoryMb = capacity.memoryMb;
    let gpus = capacity.gpus;
    for (const session of instance.sessions) {
      cores -= session.cores;
      memoryMb -= session.memoryMb;
      gpus -= session.gpus;
    }
    available.cores += cores > 0 ? cores : 0;
    available.memoryMb += memoryMb > 0 ? memoryMb : 0;
    available.gpus += gpus > 0 ? gpus : 0;
  }

  const staging: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
  const queued: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
  if (active) {
    for (const stagingConfig of context.staging) {
      const missing = Math.max(0, stagingConfig.desiredSessions - (stagingWorkspaces?.get(stagingConfig.workspace) ?? 0));
      staging.cores += missing * stagingConfig.session.cores;
      staging.memoryMb += missing * stagingConfig.session.memoryMb;
      staging.gpus += missing * stagingConfig.session.gpus;
    }
    for (const request of context.queued) {
      queued.cores += request.cores;
      queued.memoryMb += request.memoryMb;
      queued.gpus += request.gpus;
    }
    for (const key of RESOURCE_KEYS) need[key] = autoscale.standby[key] + staging[key] + queued[key];
  }

  const deficit: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
  for (const key of RESOURCE_KEYS) deficit[key] = need[key] - (available[key] + pending[key]);
  const needText = `need ${formatResources(roundResources(need))} (standby ${formatResources(autoscale.standby)}, staging ${formatResources(staging)}, queued ${formatResources(queued)}${context.queued.length ? ` from ${context.queued.length} request(s)` : ''})`;
  const haveText = `available ${formatResources(roundResources(available))}, pending ${formatResources(roundResources(pending))}`;

  let wanted = 0;
  const unsatisfiable: ResourceKey[] = [];
  const drivers: string[] = [];
  for (const key of RESOURCE_KEYS) {
    if (deficit[key] <= 1e-9) continue;
    if (agent[key] <= 0) {
      unsatisfiable.push(key);
      continue;
    }
    const count = Math.ceil(deficit[key] / agent[key] - 1e-9);
    drivers.push(`${key} deficit ${round(deficit[key])} / agent ${agent[key]} → ${count}`);
    wanted = Math.max(wanted, count);
  }
  if (unsatisfiable.length > 0) {
    warnings.push(
      `unsatisfiable: deficit in ${unsatisfiable.map((key) => `${key} ${round(deficit[key])}`).join(', ')} but the agent shape has none; not scaling for it`,
    );
  }

  if (!active) reasons.push(`inactive (schedule): needs nothing and offers nothing; ${haveText}`);
  const allowed = allowCreates(context, state, wanted, reasons);
  if (allowed.count > 0) {
    const reason = `scale up by ${allowed.count}: ${drivers.join('; ')}; ${needText}; ${haveText}; agent ${formatResources(agent)}`;
    reasons.push(reason);
    actions.push({ type: 'create', pool: entry.pool.id, autoscale: autoscale.id, provider: autoscale.provider, count: allowed.count, shape: agent, reason });
  }

  let nextState = state;
  if (wanted === 0) {
    // Greedy removal: an idle instance may go if no resource it offers falls below the need afterwards.
    const surplus: Resources = { cores: -deficit.cores, memoryMb: -deficit.memoryMb, gpus: -deficit.gpus };
    const removable: Instance[] = [];
    for (const instance of scaleDownCandidates(context.instances, requireCheckin, destroyed)) {
      const offered = active ? instance.capacity : { cores: 0, memoryMb: 0, gpus: 0 };
      if (RESOURCE_KEYS.every((key) => offered[key] === 0 || surplus[key] - offered[key] >= -1e-9)) {
        removable.push(instance);
        for (const key of RESOURCE_KEYS) surplus[key] -= offered[key];
      }
    }
    nextState = applyDownscaleBackoff(
      context,
      state,
      removable,
      autoscale.downscaleBackoffSeconds,
      (instance) =>
        active
          ? `idle (${formatResources(instance.capacity)}) and not needed: ${needText}; ${haveText}`
          : 'idle and the config is inactive',
      actions,
      reasons,
    );
    if (removable.length === 0 && active && unsatisfiable.length === 0) {
      reasons.push(`no action: ${needText}; ${haveText}; nothing idle to remove without falling below the need`);
    }
  } else {
    nextState = { ...state, surplusSince: null };
    if (allowed.count === 0 && !allowed.capped) reasons.push(`no action: ${needText}; ${haveText}`);
  }
  state = nextState;

  const destroy = actions.filter((action) => action.type === 'destroy').map((action) => (action as { instanceId: string }).instanceId);
  return {
    plan: {
      ...base,
      need: roundResources(need),
      available: roundResources(available),
      pending: roundResources(pending),
      deficit: roundResources(deficit),
      create: allowed.count,
      destroy,
      actions,
      reasons,
      warnings,
      unsatisfiable,
      capped: allowed.capped,
    },
    nextState: state,
  };
}

/** Distinct users among a server's sessions; a session without a user counts as its own. No allocation for small servers. */
function countDistinctUsers(sessions: Instance['sessions']): number {
  if (sessions.length > 32) {
    const users = new Set<string>();
    let anonymous = 0;
    for (const session of sessions) {
      if (session.user === undefined) anonymous += 1;
      else users.add(session.user);
    }
    return users.size + anonymous;
  }
  let distinct = 0;
  for (let index = 0; index < sessions.length; index += 1) {
    const user = sessions[index]!.user;
    let seen = false;
    if (user !== undefined) {
      for (let earlier = 0; earlier < index; earlier += 1) {
        if (sessions[earlier]!.user === user) {
          seen = true;
          break;
        }
      }
    }
    if (!seen) distinct += 1;
  }
  return distinct;
}

function planServers(context: PlanContext, autoscale: ServerAutoscaleConfig): { plan: ConfigPlan; nextState: AutoscaleState } {
  const { entry, active } = context;
  const requireCheckin = checkinTimeoutSeconds(autoscale) !== undefined;
  const perServer = Math.min(autoscale.maxSessionsPerServer, autoscale.maxUsersPerServer);
  const base = {
    pool: entry.pool.id,
    autoscale: autoscale.id,
    provider: autoscale.provider,
    kind: 'server' as const,
    enabled: autoscale.enabled,
    active,
  };
  if (!autoscale.enabled) {
    const zero = { sessions: 0 };
    return {
      plan: {
        ...base,
        need: zero,
        available: zero,
        pending: zero,
        deficit: zero,
        create: 0,
        destroy: [],
        actions: [],
        reasons: [`disabled: plans nothing; its ${context.instances.length} server(s) are never deleted by the engine`],
        warnings: [],
        unsatisfiable: [],
        capped: false,
      },
      nextState: { ...context.state, surplusSince: null },
    };
  }
  const lifecycle = settleLifecycle(context, requireCheckin);
  const { actions, reasons, warnings, destroyed } = lifecycle;
  const state = lifecycle.state;

  let free = 0;
  let pending = 0;
  // Distinct users can only bind when fewer users than sessions are allowed per server.
  const countUsers = autoscale.maxUsersPerServer < autoscale.maxSessionsPerServer;
  for (const instance of context.instances) {
    if (destroyed.size > 0 && destroyed.has(instance.id)) continue;
    if (PENDING_STATES.has(instance.state) || (instance.state === 'running' && requireCheckin && !instance.checkedIn)) {
      pending += perServer;
      continue;
    }
    if (instance.state !== 'running' || !active) continue;
    const sessions = instance.sessions;
    const users = countUsers ? countDistinctUsers(sessions) : sessions.length;
    const serverFree = Math.min(autoscale.maxSessionsPerServer - sessions.length, autoscale.maxUsersPerServer - users);
    if (serverFree > 0) free += serverFree;
  }
  const queued = active ? context.queued.length : 0;
  const need = active ? autoscale.minimumAvailableSessions + queued : 0;
  const deficit = need - (free + pending);
  const needText = `need ${need} free session(s) (minimum ${autoscale.minimumAvailableSessions}, queued ${queued})`;
  const haveText = `free ${free}, pending ${pending} (${perServer} per new server)`;
  const wanted = deficit > 0 ? Math.ceil(deficit / perServer) : 0;
  if (!active) reasons.push(`inactive (schedule): needs nothing and offers nothing; ${haveText}`);
  const allowed = allowCreates(context, state, wanted, reasons);
  if (allowed.count > 0) {
    const reason = `scale up by ${allowed.count}: session deficit ${deficit} / ${perServer} per server; ${needText}; ${haveText}`;
    reasons.push(reason);
    actions.push({
      type: 'create',
      pool: entry.pool.id,
      autoscale: autoscale.id,
      provider: autoscale.provider,
      count: allowed.count,
      shape: autoscale.agent ?? { cores: 0, memoryMb: 0, gpus: 0 },
      reason,
    });
  }
  let nextState: AutoscaleState;
  if (wanted === 0) {
    let surplus = -deficit;
    const removable: Instance[] = [];
    for (const instance of scaleDownCandidates(context.instances, requireCheckin, destroyed)) {
      // An idle running server offers a full server's worth of sessions when the config is active.
      const offered = active ? perServer : 0;
      if (surplus - offered >= 0) {
        removable.push(instance);
        surplus -= offered;
      }
    }
    nextState = applyDownscaleBackoff(
      context,
      state,
      removable,
      autoscale.downscaleBackoffSeconds,
      () => (active ? `idle and not needed: ${needText}; ${haveText}` : 'idle and the config is inactive'),
      actions,
      reasons,
    );
    if (removable.length === 0 && active) reasons.push(`no action: ${needText}; ${haveText}`);
  } else {
    nextState = { ...state, surplusSince: null };
  }
  const destroy = actions.filter((action) => action.type === 'destroy').map((action) => (action as { instanceId: string }).instanceId);
  return {
    plan: {
      ...base,
      need: { sessions: need },
      available: { sessions: free },
      pending: { sessions: pending },
      deficit: { sessions: deficit },
      create: allowed.count,
      destroy,
      actions,
      reasons,
      warnings,
      unsatisfiable: [],
      capped: allowed.capped,
    },
    nextState,
  };
}
