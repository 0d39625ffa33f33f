import type {
  DockerAgentAutoscaleConfig,
  HeadroomConfig,
  ServerAutoscaleConfig,
  StagingConfig,
} from '../config/config-schema.js';
import { type AutoscaleEntry, checkinTimeoutSeconds, listAutoscaleEntries } from '../config/config-views.js';
import { computeImagePlan, type ImageReadiness } from '../images/compute-image-plan.js';
import type { FleetSnapshot, Instance } from '../model/instance.js';
import { formatResources, RESOURCE_KEYS, type ResourceKey, type Resources } from '../model/resources.js';
import { isActive } from '../schedule/evaluate-schedule.js';
import { withFailure } from './failure-backoff.js';
import { type AutoscaleState, autoscaleKey, initialAutoscaleState, type PlannerState } from './planner-state.js';
import type { ConfigPlan, PlanAction, ScalingPlan } from './scaling-plan.js';

export interface ComputeScalingPlanOptions {
  config: HeadroomConfig;
  snapshot: FleetSnapshot;
  state: PlannerState;
  /** The instant to plan for, in milliseconds since the epoch. */
  now: number;
  /** Digests pinned per workspace by the host (see `computeImagePlan`); config `digest` wins. */
  imagePins?: Readonly<Record<string, string>>;
}

export interface ComputeScalingPlanResult {
  plan: ScalingPlan;
  nextState: PlannerState;
}

const round = (value: number) => Math.round(value * 1000) / 1000;
const roundResources = (r: Resources): Resources => ({
  cores: round(r.cores),
  memoryMb: round(r.memoryMb),
  gpus: round(r.gpus),
});
const parseInstant = (iso: string): number => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
};

/** An instance the lifecycle rules remove before capacity is counted. */
interface Removal {
  instance: Instance;
  cause: 'failed' | 'checkin-timeout';
  ageSeconds: number;
}

/**
 * Everything the plan of one autoscale config needs from the snapshot, gathered in a single
 * sequential pass over all instances (walking each config's instances separately costs far more
 * in cache misses than the arithmetic).
 */
interface ConfigAccumulator {
  entry: AutoscaleEntry;
  key: string;
  /** `entry.kind === 'server'`, read once per instance in the hot loop. */
  isServer: boolean;
  /**
   * An enabled, active docker-agent config without staging or failure watch: its running,
   * checked-in (or check-in free) instances take the short path of `accumulate`.
   */
  shortPath: boolean;
  enabled: boolean;
  active: boolean;
  requireCheckin: boolean;
  timeoutSeconds: number | undefined;
  /** Server pools: sessions a new or idle server offers. */
  perServer: number;
  countUsers: boolean;
  /** Whether the failure backoff may reset (only then are creation times parsed). */
  watchForSuccess: boolean;
  lastFailureMs: number;
  instanceCount: number;
  available: Resources;
  pending: Resources;
  freeSessions: number;
  pendingSessions: number;
  staged: Map<string, number> | undefined;
  idle: Instance[];
  removals: Removal[];
  keptWarnings: string[];
  /** An instance that came up after the last failure, if any. */
  success: Instance | undefined;
  /** Image readiness of the pool's agents, when workspaces with images apply to the pool. */
  imageReadiness: ReadonlyMap<string, ImageReadiness> | undefined;
  /** Agents whose capacity waits for images, by missing workspace. */
  imageWaiting: Map<string, number>;
  imageWaitingAgents: number;
}

/**
 * One planning step (DESIGN §5). Pure and deterministic: no I/O, no timers, no `Date.now()`.
 * Every action and every "no action" carries a reason with its numbers.
 */
export function computeScalingPlan({
  config,
  snapshot,
  state,
  now,
  imagePins,
}: ComputeScalingPlanOptions): ComputeScalingPlanResult {
  const entries = listAutoscaleEntries(config);
  const imagePlan =
    config.workspaces.length > 0
      ? computeImagePlan({ config, snapshot, ...(imagePins ? { pins: imagePins } : {}) })
      : undefined;
  const stagingByConfig = new Map<string, StagingConfig[]>();
  for (const staging of config.staging) {
    const key = autoscaleKey(staging.pool, staging.autoscale);
    const list = stagingByConfig.get(key) ?? [];
    list.push(staging);
    stagingByConfig.set(key, list);
  }

  const byPool = new Map<string, Map<string, ConfigAccumulator>>();
  const accumulators: ConfigAccumulator[] = [];
  // Queued requests of a pool count toward its first enabled, active config with aggressive scaling.
  const queuedOwner = new Map<string, string>();
  for (const entry of entries) {
    const key = autoscaleKey(entry.pool.id, entry.autoscale.id);
    const autoscale = entry.autoscale;
    const active = autoscale.enabled && isActive(autoscale.schedules, now);
    if (active && autoscale.aggressiveScaling && !queuedOwner.has(entry.pool.id)) queuedOwner.set(entry.pool.id, key);
    const previous = state.autoscale[key] ?? initialAutoscaleState();
    const timeoutSeconds = checkinTimeoutSeconds(autoscale);
    const server = entry.kind === 'server' ? entry.autoscale : undefined;
    const accumulator: ConfigAccumulator = {
      entry,
      key,
      isServer: entry.kind === 'server',
      shortPath: false,
      enabled: autoscale.enabled,
      active,
      requireCheckin: timeoutSeconds !== undefined,
      timeoutSeconds,
      perServer: server ? Math.min(server.maxSessionsPerServer, server.maxUsersPerServer) : 0,
      countUsers: server ? server.maxUsersPerServer < server.maxSessionsPerServer : false,
      watchForSuccess: previous.consecutiveFailures > 0 && previous.lastFailureAt !== null,
      lastFailureMs: previous.lastFailureAt ? parseInstant(previous.lastFailureAt) : 0,
      instanceCount: 0,
      available: { cores: 0, memoryMb: 0, gpus: 0 },
      pending: { cores: 0, memoryMb: 0, gpus: 0 },
      freeSessions: 0,
      pendingSessions: 0,
      staged: stagingByConfig.has(key) ? new Map() : undefined,
      idle: [],
      removals: [],
      keptWarnings: [],
      success: undefined,
      imageReadiness: entry.kind === 'docker-agent' ? imagePlan?.readiness : undefined,
      imageWaiting: new Map(),
      imageWaitingAgents: 0,
    };
    accumulator.shortPath =
      accumulator.enabled &&
      active &&
      !accumulator.isServer &&
      !accumulator.staged &&
      !accumulator.watchForSuccess &&
      accumulator.imageReadiness === undefined;
    accumulators.push(accumulator);
    let pool = byPool.get(entry.pool.id);
    if (!pool) {
      pool = new Map();
      byPool.set(entry.pool.id, pool);
    }
    pool.set(autoscale.id, accumulator);
  }

  // Instances per provider: those of a known config are counted by their accumulator (tallied
  // below), only the others here, which keeps the hot loop free of a lookup per instance.
  const instancesPerProvider = new Map<string, number>();
  const planWarnings: string[] = [];
  const instances = snapshot.instances;
  let lastPool: string | undefined;
  let poolAccumulators: Map<string, ConfigAccumulator> | undefined;
  for (let index = 0; index < instances.length; index++) {
    const instance = instances[index]!;
    if (instance.pool !== lastPool) {
      lastPool = instance.pool;
      poolAccumulators = byPool.get(instance.pool);
    }
    const accumulator = poolAccumulators?.get(instance.autoscale);
    if (accumulator) {
      accumulate(accumulator, instance, now);
      continue;
    }
    instancesPerProvider.set(instance.provider, (instancesPerProvider.get(instance.provider) ?? 0) + 1);
    planWarnings.push(
      `instance ${instance.id} belongs to unknown autoscale config ${instance.pool}/${instance.autoscale}; ignored (it still counts against provider ${instance.provider})`,
    );
  }
  for (const accumulator of accumulators) {
    const provider = accumulator.entry.autoscale.provider;
    instancesPerProvider.set(provider, (instancesPerProvider.get(provider) ?? 0) + accumulator.instanceCount);
  }

  const nextAutoscale: Record<string, AutoscaleState> = {};
  const plannedCreatesPerProvider = new Map<string, number>();
  const configs: ConfigPlan[] = [];
  for (const accumulator of accumulators) {
    const { entry, key } = accumulator;
    const provider = entry.autoscale.provider;
    const context: PlanContext = {
      accumulator,
      state: state.autoscale[key] ?? initialAutoscaleState(),
      now,
      queued:
        queuedOwner.get(entry.pool.id) === key
          ? snapshot.queued.filter((request) => request.pool === entry.pool.id)
          : [],
      staging: stagingByConfig.get(key) ?? [],
      providerTotal: instancesPerProvider.get(provider) ?? 0,
      providerPlanned: plannedCreatesPerProvider.get(provider) ?? 0,
      maxInstances: config.providers[provider]?.maxInstances ?? 0,
    };
    const { plan, nextState } =
      entry.kind === 'docker-agent'
        ? planDockerAgents(context, entry.autoscale)
        : planServers(context, entry.autoscale);
    plannedCreatesPerProvider.set(provider, context.providerPlanned + plan.create);
    nextAutoscale[key] = nextState;
    configs.push(plan);
  }

  return {
    plan: {
      at: new Date(now).toISOString(),
      configs,
      warnings: imagePlan ? [...planWarnings, ...imagePlan.warnings] : planWarnings,
      imageActions: imagePlan?.actions ?? [],
    },
    nextState: { autoscale: nextAutoscale },
  };
}

/** Folds one instance into its config's accumulator (the hot loop of the planner). */
function accumulate(accumulator: ConfigAccumulator, instance: Instance, now: number): void {
  accumulator.instanceCount += 1;
  const sessions = instance.sessions;
  if (
    accumulator.shortPath &&
    instance.state === 'running' &&
    (instance.checkedIn || accumulator.timeoutSeconds === undefined)
  ) {
    // The common case, with the same outcome as the full rules below: free capacity only.
    if (sessions.length === 0) accumulator.idle.push(instance);
    addAvailable(accumulator.available, instance.capacity, sessions);
    return;
  }
  if (!accumulator.enabled) return;
  const staged = accumulator.staged;
  if (staged) {
    for (let index = 0; index < sessions.length; index++) {
      const session = sessions[index]!;
      if (session.staged && session.workspace !== undefined)
        staged.set(session.workspace, (staged.get(session.workspace) ?? 0) + 1);
    }
  }
  const state = instance.state;
  if (state === 'failed') {
    if (sessions.length > 0)
      accumulator.keptWarnings.push(`${instance.id} is failed but has ${sessions.length} session(s); not destroyed`);
    else accumulator.removals.push({ instance, cause: 'failed', ageSeconds: 0 });
    return;
  }
  if (
    accumulator.timeoutSeconds !== undefined &&
    !instance.checkedIn &&
    state !== 'destroying' &&
    state !== 'draining'
  ) {
    const ageSeconds = (now - parseInstant(instance.createdAt)) / 1000;
    if (ageSeconds >= accumulator.timeoutSeconds) {
      if (sessions.length > 0) {
        accumulator.keptWarnings.push(
          `${instance.id} has not checked in after ${Math.floor(ageSeconds)} s but has sessions; not destroyed`,
        );
      } else {
        accumulator.removals.push({ instance, cause: 'checkin-timeout', ageSeconds });
        return;
      }
    }
  }
  const capacity = instance.capacity;
  const pendingState = state === 'requested' || state === 'creating' || state === 'starting';
  if (pendingState || (state === 'running' && accumulator.requireCheckin && !instance.checkedIn)) {
    if (accumulator.isServer) {
      accumulator.pendingSessions += accumulator.perServer;
    } else {
      const pending = accumulator.pending;
      pending.cores += capacity.cores;
      pending.memoryMb += capacity.memoryMb;
      pending.gpus += capacity.gpus;
    }
    return;
  }
  if (state !== 'running') return;
  if (
    accumulator.watchForSuccess &&
    accumulator.success === undefined &&
    parseInstant(instance.createdAt) > accumulator.lastFailureMs
  ) {
    accumulator.success = instance;
  }
  if (sessions.length === 0) accumulator.idle.push(instance);
  if (!accumulator.active) return;
  if (accumulator.isServer) {
    const server = accumulator.entry.autoscale as ServerAutoscaleConfig;
    const users = accumulator.countUsers ? countDistinctUsers(sessions) : sessions.length;
    const free = Math.min(server.maxSessionsPerServer - sessions.length, server.maxUsersPerServer - users);
    if (free > 0) accumulator.freeSessions += free;
    return;
  }
  const readiness = accumulator.imageReadiness?.get(instance.id);
  if (readiness && !readiness.ready) {
    // Capacity on the bill but not for users yet: it counts as pending until the images are there.
    accumulator.imageWaitingAgents += 1;
    for (const workspace of readiness.missing)
      accumulator.imageWaiting.set(workspace, (accumulator.imageWaiting.get(workspace) ?? 0) + 1);
    addAvailable(accumulator.pending, capacity, sessions);
    return;
  }
  addAvailable(accumulator.available, capacity, sessions);
}

/** Adds what the sessions leave free of `capacity` (per resource, never below zero) to `available`. */
function addAvailable(available: Resources, capacity: Resources, sessions: Instance['sessions']): void {
  let cores = capacity.cores;
  let memoryMb = capacity.memoryMb;
  let gpus = capacity.gpus;
  for (let index = 0; index < sessions.length; index++) {
    const session = sessions[index]!;
    cores -= session.cores;
    memoryMb -= session.memoryMb;
    gpus -= session.gpus;
  }
  if (cores > 0) available.cores += cores;
  if (memoryMb > 0) available.memoryMb += memoryMb;
  if (gpus > 0) available.gpus += gpus;
}

interface PlanContext {
  accumulator: ConfigAccumulator;
  state: AutoscaleState;
  now: number;
  queued: FleetSnapshot['queued'];
  staging: StagingConfig[];
  /** Instances of this config's provider in any state, across all configs. */
  providerTotal: number;
  /** Creates already planned for this provider by earlier configs of this plan. */
  providerPlanned: number;
  maxInstances: number;
}

/** Failure-backoff reset, then the destroys of failed and timed-out instances. */
function settleLifecycle(context: PlanContext): {
  actions: PlanAction[];
  reasons: string[];
  warnings: string[];
  state: AutoscaleState;
} {
  const { accumulator, now } = context;
  const { entry } = accumulator;
  const actions: PlanAction[] = [];
  const reasons: string[] = [];
  const warnings = [...accumulator.keptWarnings];
  let state = context.state;
  const base = { pool: entry.pool.id, autoscale: entry.autoscale.id, provider: entry.autoscale.provider };
  if (accumulator.success) {
    reasons.push(
      `failure backoff reset: ${accumulator.success.id} came up after ${state.consecutiveFailures} consecutive failure(s)`,
    );
    state = { ...state, consecutiveFailures: 0, lastFailureAt: null, createBlockedUntil: null };
  }
  for (const removal of accumulator.removals) {
    const { instance } = removal;
    state = withFailure(state, now);
    if (removal.cause === 'failed') {
      actions.push({
        ...base,
        type: 'destroy',
        instanceId: instance.id,
        cause: 'failed',
        reason: `destroy ${instance.id}: instance failed (failure ${state.consecutiveFailures})`,
      });
      continue;
    }
    actions.push({
      ...base,
      type: 'destroy',
      instanceId: instance.id,
      cause: 'checkin-timeout',
      reason: `destroy ${instance.id}: no check-in ${Math.floor(removal.ageSeconds)} s after creation (timeout ${accumulator.timeoutSeconds} s); failure ${state.consecutiveFailures}, creates blocked until ${state.createBlockedUntil}`,
    });
  }
  return { actions, reasons, warnings, state };
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
      `wanted ${wanted} new instance(s), capped to ${room} by provider ${context.accumulator.entry.autoscale.provider} maxInstances ${context.maxInstances} (${context.providerTotal} exist, ${context.providerPlanned} planned by other configs)`,
    );
    return { count: room, capped: true };
  }
  return { count: wanted, capped: false };
}

/** Adds the create action with its reason (`scale up by N: <why>`). */
function planCreate(
  context: PlanContext,
  count: number,
  shape: Resources,
  why: string,
  actions: PlanAction[],
  reasons: string[],
): void {
  const { entry } = context.accumulator;
  const reason = `scale up by ${count}: ${why}`;
  reasons.push(reason);
  actions.push({
    type: 'create',
    pool: entry.pool.id,
    autoscale: entry.autoscale.id,
    provider: entry.autoscale.provider,
    count,
    shape,
    reason,
  });
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
  const { now } = context;
  const { entry } = context.accumulator;
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

/** Idle running instances (checked in when required) in removal order: oldest first, then by id. */
function scaleDownCandidates(idle: Instance[]): Instance[] {
  return idle
    .map((instance) => ({ instance, createdMs: parseInstant(instance.createdAt) }))
    .sort(
      (a, b) =>
        a.createdMs - b.createdMs || (a.instance.id < b.instance.id ? -1 : a.instance.id > b.instance.id ? 1 : 0),
    )
    .map((candidate) => candidate.instance);
}

function disabledPlan(
  context: PlanContext,
  zero: Resources | { sessions: number },
  noun: string,
): { plan: ConfigPlan; nextState: AutoscaleState } {
  const { entry } = context.accumulator;
  return {
    plan: {
      pool: entry.pool.id,
      autoscale: entry.autoscale.id,
      provider: entry.autoscale.provider,
      kind: entry.kind,
      enabled: false,
      active: false,
      need: zero,
      available: zero,
      pending: zero,
      deficit: zero,
      create: 0,
      destroy: [],
      actions: [],
      reasons: [
        `disabled: plans nothing; its ${context.accumulator.instanceCount} ${noun}(s) are never deleted by the engine`,
      ],
      warnings: [],
      unsatisfiable: [],
      capped: false,
    },
    nextState: { ...context.state, surplusSince: null },
  };
}

const destroyedIds = (actions: PlanAction[]) =>
  actions.flatMap((action) => (action.type === 'destroy' ? [action.instanceId] : []));

function planDockerAgents(
  context: PlanContext,
  autoscale: DockerAgentAutoscaleConfig,
): { plan: ConfigPlan; nextState: AutoscaleState } {
  if (!autoscale.enabled) return disabledPlan(context, { cores: 0, memoryMb: 0, gpus: 0 }, 'instance');
  const { accumulator } = context;
  const { active, available, pending } = accumulator;
  const agent = autoscale.agent;
  const lifecycle = settleLifecycle(context);
  const { actions, reasons, warnings } = lifecycle;
  let state = lifecycle.state;

  const need: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
  const staging: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
  const queued: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
  if (active) {
    for (const stagingConfig of context.staging) {
      const missing = Math.max(
        0,
        stagingConfig.desiredSessions - (accumulator.staged?.get(stagingConfig.workspace) ?? 0),
      );
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
  if (accumulator.imageWaitingAgents > 0) {
    const missing = [...accumulator.imageWaiting].map(([workspace, count]) => `${workspace} ×${count}`).join(', ');
    reasons.push(
      `${accumulator.imageWaitingAgents} agent(s) wait for workspace images (${missing}): their free capacity counts as pending, not available, until the images are present`,
    );
  }

  // A queued request is one no agent could take, so free capacity scattered over agents does not
  // serve it: queued requests are covered by pending capacity only (see docs/decisions.md).
  const createDeficit: Resources = { ...deficit };
  if (context.queued.length > 0) {
    for (const key of RESOURCE_KEYS) {
      createDeficit[key] = need[key] - Math.min(available[key], need[key] - queued[key]) - pending[key];
    }
  }
  let wanted = 0;
  const unsatisfiable: ResourceKey[] = [];
  const drivers: string[] = [];
  for (const key of RESOURCE_KEYS) {
    if (createDeficit[key] <= 1e-9) continue;
    if (agent[key] <= 0) {
      unsatisfiable.push(key);
      continue;
    }
    const count = Math.ceil(createDeficit[key] / agent[key] - 1e-9);
    const label = createDeficit[key] > deficit[key] + 1e-9 ? 'deficit (queued requests fit no agent)' : 'deficit';
    drivers.push(`${key} ${label} ${round(createDeficit[key])} / agent ${agent[key]} → ${count}`);
    wanted = Math.max(wanted, count);
  }
  if (unsatisfiable.length > 0) {
    warnings.push(
      `unsatisfiable: deficit in ${unsatisfiable.map((key) => `${key} ${round(createDeficit[key])}`).join(', ')} but the agent shape has none; not scaling for it`,
    );
  }

  if (!active) reasons.push(`inactive (schedule): needs nothing and offers nothing; ${haveText}`);
  const allowed = allowCreates(context, state, wanted, reasons);
  if (allowed.count > 0) {
    planCreate(
      context,
      allowed.count,
      agent,
      `${drivers.join('; ')}; ${needText}; ${haveText}; agent ${formatResources(agent)}`,
      actions,
      reasons,
    );
  }

  if (wanted === 0) {
    // Greedy removal: an idle instance may go if no resource it offers falls below the need afterwards.
    const surplus: Resources = { cores: -deficit.cores, memoryMb: -deficit.memoryMb, gpus: -deficit.gpus };
    const removable: Instance[] = [];
    for (const instance of scaleDownCandidates(accumulator.idle)) {
      const offered = active ? instance.capacity : { cores: 0, memoryMb: 0, gpus: 0 };
      if (RESOURCE_KEYS.every((key) => offered[key] === 0 || surplus[key] - offered[key] >= -1e-9)) {
        removable.push(instance);
        for (const key of RESOURCE_KEYS) surplus[key] -= offered[key];
      }
    }
    state = applyDownscaleBackoff(
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
    state = { ...state, surplusSince: null };
    if (allowed.count === 0 && !allowed.capped) reasons.push(`no action: ${needText}; ${haveText}`);
  }

  return {
    plan: {
      pool: accumulator.entry.pool.id,
      autoscale: autoscale.id,
      provider: autoscale.provider,
      kind: 'docker-agent',
      enabled: true,
      active,
      need: roundResources(need),
      available: roundResources(available),
      pending: roundResources(pending),
      deficit: roundResources(deficit),
      create: allowed.count,
      destroy: destroyedIds(actions),
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

function planServers(
  context: PlanContext,
  autoscale: ServerAutoscaleConfig,
): { plan: ConfigPlan; nextState: AutoscaleState } {
  if (!autoscale.enabled) return disabledPlan(context, { sessions: 0 }, 'server');
  const { accumulator } = context;
  const { active, perServer, freeSessions: free, pendingSessions: pending } = accumulator;
  const lifecycle = settleLifecycle(context);
  const { actions, reasons, warnings } = lifecycle;
  let state = lifecycle.state;

  const queued = active ? context.queued.length : 0;
  const need = active ? autoscale.minimumAvailableSessions + queued : 0;
  const deficit = need - (free + pending);
  const needText = `need ${need} free session(s) (minimum ${autoscale.minimumAvailableSessions}, queued ${queued})`;
  const haveText = `free ${free}, pending ${pending} (${perServer} per new server)`;
  const wanted = deficit > 0 ? Math.ceil(deficit / perServer) : 0;
  if (!active) reasons.push(`inactive (schedule): needs nothing and offers nothing; ${haveText}`);
  const allowed = allowCreates(context, state, wanted, reasons);
  if (allowed.count > 0) {
    const shape = autoscale.agent ?? { cores: 0, memoryMb: 0, gpus: 0 };
    planCreate(
      context,
      allowed.count,
      shape,
      `session deficit ${deficit} / ${perServer} per server; ${needText}; ${haveText}`,
      actions,
      reasons,
    );
  }
  if (wanted === 0) {
    let surplus = -deficit;
    const removable: Instance[] = [];
    // An idle running server offers a full server's worth of sessions when the config is active.
    const offered = active ? perServer : 0;
    for (const instance of scaleDownCandidates(accumulator.idle)) {
      if (surplus - offered >= 0) {
        removable.push(instance);
        surplus -= offered;
      }
    }
    state = applyDownscaleBackoff(
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
    state = { ...state, surplusSince: null };
  }
  return {
    plan: {
      pool: accumulator.entry.pool.id,
      autoscale: autoscale.id,
      provider: autoscale.provider,
      kind: 'server',
      enabled: true,
      active,
      need: { sessions: need },
      available: { sessions: free },
      pending: { sessions: pending },
      deficit: { sessions: deficit },
      create: allowed.count,
      destroy: destroyedIds(actions),
      actions,
      reasons,
      warnings,
      unsatisfiable: [],
      capped: allowed.capped,
    },
    nextState: state,
  };
}
