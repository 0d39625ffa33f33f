import type {
  DockerAgentAutoscaleConfig,
  HeadroomConfig,
  ServerAutoscaleConfig,
  StagingConfig,
} from '../config/config-schema.js';
import { type AutoscaleEntry, checkinTimeoutSeconds, listAutoscaleEntries } from '../config/config-views.js';
import { computeImagePlan, type ImagePlan, type ImageReadiness } from '../images/compute-image-plan.js';
import { type FleetSnapshot, type Instance, STATIC_MEMBER } from '../model/instance.js';
import { formatResources, RESOURCE_KEYS, type ResourceKey, type Resources } from '../model/resources.js';
import { isActive } from '../schedule/evaluate-schedule.js';
import type { DemandGrowthProfile } from './demand-growth-profile.js';
import { type DesktopRoom, placeQueuedDesktops, sessionUsers } from './desktop-placement.js';
import { chooseDrains, chooseUndrains, freeRoomOf } from './drain-choice.js';
import { withFailure } from './failure-backoff.js';
import { type AutoscaleState, autoscaleKey, initialAutoscaleState, type PlannerState } from './planner-state.js';
import { type EffectiveStandby, effectiveStandby } from './predictive-standby.js';
import { assignQueuedRequests, describeUnfitRequests } from './queued-requests.js';
import type { ConfigPlan, PlanAction, ScalingPlan } from './scaling-plan.js';
import { chooseServerDrains, chooseServerUndrains } from './server-drains.js';
import { isUnusedStaged, stagedCountKey, stagingZone } from './staging-inventory.js';
import { planStaging } from './staging-plan.js';
import { describeSlotFit, type FreeRoom, fitStandbySlots, type StandbySlotFit } from './standby-slots.js';

export interface ComputeScalingPlanOptions {
  config: HeadroomConfig;
  snapshot: FleetSnapshot;
  state: PlannerState;
  /** The instant to plan for, in milliseconds since the epoch. */
  now: number;
  /**
   * Digests pinned per workspace by the host (see `computeImagePlan`); config `digest` wins.
   * Default: `state.imagePins`. The pins in force are carried into `nextState.imagePins`.
   */
  imagePins?: Readonly<Record<string, string>>;
  /**
   * Learnt demand-growth profiles by `autoscaleKey` for configs with `predictiveStandby` (see
   * `learnDemandGrowthProfile`, `learnDemandGrowthProfileFromSamples`): such a config keeps the
   * larger of its static standby and the growth learnt for the current hour. A config without a
   * profile plans with its static standby.
   */
  demandProfiles?: Readonly<Record<string, DemandGrowthProfile>>;
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
  /** Server pools: of `freeSessions`, those on static members (servers Headroom did not create). */
  staticFreeSessions: number;
  pendingSessions: number;
  /** Servers of a `reusable: false` config whose session ended and that are now empty: destroyed at once. */
  spent: Instance[] | undefined;
  /** RDP server configs: running servers with free seats and their users (one desktop per user per server). */
  desktopRooms: DesktopRoom[] | undefined;
  staged: Map<string, number> | undefined;
  idle: Instance[];
  /** Running, available agents or servers with sessions: drain candidates. */
  busy: Instance[];
  /** Instances the control plane marked `draining`. */
  draining: Instance[];
  /** Free room per running and pending agent, collected only for configs with standby slots. */
  rooms: { running: FreeRoom[]; pending: FreeRoom[] } | undefined;
  removals: Removal[];
  keptWarnings: string[];
  /** An instance that came up after the last failure, if any. */
  success: Instance | undefined;
  /** Image readiness of the pool's agents, when workspaces with images apply to the pool. */
  imageReadiness: ReadonlyMap<string, ImageReadiness> | undefined;
  /** Agents whose capacity waits for images, by missing workspace. */
  imageWaiting: Map<string, number>;
  imageWaitingAgents: number;
  /** Busy agents serving an old digest of a rolled workspace: neither available nor pending. */
  retiringAgents: number;
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
  imagePins: hostPins,
  demandProfiles,
}: ComputeScalingPlanOptions): ComputeScalingPlanResult {
  const entries = listAutoscaleEntries(config);
  const imagePins = hostPins ?? state.imagePins;
  const imagePlan =
    config.workspaces.length > 0
      ? computeImagePlan({ config, snapshot, ...(imagePins ? { pins: imagePins } : {}) })
      : undefined;
  const stagingByConfig = groupStagingByConfig(config);
  const { accumulators, byPool, queuedOwners } = createAccumulators({
    entries,
    state,
    now,
    imagePlan,
    stagingByConfig,
  });
  const { instancesPerProvider, planWarnings } = tallyInstances({ snapshot, byPool, accumulators, now });
  const queuedAssignments = assignQueuedRequests({ queued: snapshot.queued, ownersByPool: queuedOwners });
  const { configs, nextAutoscale } = planConfigs({
    config,
    state,
    now,
    accumulators,
    queuedAssignments,
    stagingByConfig,
    instancesPerProvider,
    demandProfiles,
  });

  const staging = planStaging({
    config,
    snapshot,
    state: state.staging,
    now,
    entries: new Map(accumulators.map(({ key, entry, active }) => [key, { entry, active }])),
    excluded: new Set(configs.flatMap((plan) => plan.destroy)),
  });
  return {
    plan: {
      at: new Date(now).toISOString(),
      configs,
      warnings: imagePlan ? [...planWarnings, ...imagePlan.warnings] : planWarnings,
      imageActions: imagePlan?.actions ?? [],
      staging: staging.plan,
    },
    nextState: {
      autoscale: nextAutoscale,
      ...(Object.keys(staging.nextState).length > 0 ? { staging: staging.nextState } : {}),
      ...(imagePins && Object.keys(imagePins).length > 0 ? { imagePins: { ...imagePins } } : {}),
    },
  };
}

/** The staging entries of the config, grouped by autoscale key in config order. */
function groupStagingByConfig(config: HeadroomConfig): Map<string, StagingConfig[]> {
  const stagingByConfig = new Map<string, StagingConfig[]>();
  for (const staging of config.staging) {
    const key = autoscaleKey(staging.pool, staging.autoscale);
    const list = stagingByConfig.get(key) ?? [];
    list.push(staging);
    stagingByConfig.set(key, list);
  }
  return stagingByConfig;
}

/**
 * One empty accumulator per autoscale config (in config order), indexed by pool then autoscale id,
 * and the configs that own each pool's queued requests.
 */
function createAccumulators({
  entries,
  state,
  now,
  imagePlan,
  stagingByConfig,
}: {
  entries: AutoscaleEntry[];
  state: PlannerState;
  now: number;
  imagePlan: ImagePlan | undefined;
  stagingByConfig: ReadonlyMap<string, StagingConfig[]>;
}): {
  accumulators: ConfigAccumulator[];
  byPool: Map<string, Map<string, ConfigAccumulator>>;
  queuedOwners: Map<string, AutoscaleEntry[]>;
} {
  const byPool = new Map<string, Map<string, ConfigAccumulator>>();
  const accumulators: ConfigAccumulator[] = [];
  // Queued requests of a pool count toward the first enabled, active, aggressive config that can serve them.
  const queuedOwners = new Map<string, AutoscaleEntry[]>();
  for (const entry of entries) {
    const key = autoscaleKey(entry.pool.id, entry.autoscale.id);
    const autoscale = entry.autoscale;
    const active = autoscale.enabled && isActive(autoscale.schedules, now);
    if (active && autoscale.aggressiveScaling) {
      const owners = queuedOwners.get(entry.pool.id) ?? [];
      owners.push(entry);
      queuedOwners.set(entry.pool.id, owners);
    }
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
      staticFreeSessions: 0,
      pendingSessions: 0,
      desktopRooms: server?.connection.type === 'rdp' ? [] : undefined,
      spent: server && !server.reusable ? [] : undefined,
      staged: stagingByConfig.has(key) ? new Map() : undefined,
      idle: [],
      busy: [],
      draining: [],
      rooms:
        entry.kind === 'docker-agent' &&
        (entry.autoscale.standby.slots.length > 0 || entry.autoscale.predictiveStandby?.slot !== undefined)
          ? { running: [], pending: [] }
          : undefined,
      removals: [],
      keptWarnings: [],
      success: undefined,
      imageReadiness: entry.kind === 'docker-agent' ? imagePlan?.readiness : undefined,
      imageWaiting: new Map(),
      imageWaitingAgents: 0,
      retiringAgents: 0,
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
  return { accumulators, byPool, queuedOwners };
}

/**
 * Folds every instance of the snapshot into its config's accumulator (static members into their
 * pool); counts instances per provider and warns about instances of unknown configs.
 */
function tallyInstances({
  snapshot,
  byPool,
  accumulators,
  now,
}: {
  snapshot: FleetSnapshot;
  byPool: ReadonlyMap<string, Map<string, ConfigAccumulator>>;
  accumulators: readonly ConfigAccumulator[];
  now: number;
}): { instancesPerProvider: Map<string, number>; planWarnings: string[] } {
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
    if (instance.autoscale === STATIC_MEMBER) {
      const warning = accumulateStaticMember(poolAccumulators, instance);
      if (warning) planWarnings.push(warning);
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
  return { instancesPerProvider, planWarnings };
}

/**
 * Plans each config in order; a provider's creates planned by earlier configs count against its
 * `maxInstances` for later ones.
 */
function planConfigs({
  config,
  state,
  now,
  accumulators,
  queuedAssignments,
  stagingByConfig,
  instancesPerProvider,
  demandProfiles,
}: {
  config: HeadroomConfig;
  state: PlannerState;
  now: number;
  accumulators: readonly ConfigAccumulator[];
  queuedAssignments: ReturnType<typeof assignQueuedRequests>;
  stagingByConfig: ReadonlyMap<string, StagingConfig[]>;
  instancesPerProvider: ReadonlyMap<string, number>;
  demandProfiles: ComputeScalingPlanOptions['demandProfiles'];
}): { configs: ConfigPlan[]; nextAutoscale: Record<string, AutoscaleState> } {
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
      queued: queuedAssignments.get(key)?.fitting ?? [],
      unfitQueued: queuedAssignments.get(key)?.unfit ?? [],
      staging: stagingByConfig.get(key) ?? [],
      providerTotal: instancesPerProvider.get(provider) ?? 0,
      providerPlanned: plannedCreatesPerProvider.get(provider) ?? 0,
      maxInstances: config.providers[provider]?.maxInstances ?? 0,
    };
    const { plan, nextState } =
      entry.kind === 'docker-agent'
        ? planWithStandby(
            context,
            effectiveStandby({ autoscale: entry.autoscale, profile: demandProfiles?.[key], now }),
          )
        : planServers(context, entry.autoscale);
    plannedCreatesPerProvider.set(provider, context.providerPlanned + plan.create);
    nextAutoscale[key] = nextState;
    configs.push(plan);
  }
  return { configs, nextAutoscale };
}

/** A docker-agent config's plan with its effective (static or predictive) standby, the prediction and its reason first. */
function planWithStandby(
  context: PlanContext,
  standby: EffectiveStandby,
): { plan: ConfigPlan; nextState: AutoscaleState } {
  const result = planDockerAgents(context, standby.autoscale);
  if (standby.reason && result.plan.enabled && result.plan.active) result.plan.reasons.unshift(standby.reason);
  if (standby.predicted) result.plan.predictedStandby = standby.predicted;
  return result;
}

/**
 * Folds a static member (a server of the pool Headroom did not create, `autoscale` absent in the
 * snapshot) into the pool's first enabled, active server config: its free sessions count toward
 * that config's minimum, by that config's per-server limits. It is never a removal candidate.
 * Returns a warning when it cannot be counted.
 */
function accumulateStaticMember(
  poolAccumulators: Map<string, ConfigAccumulator> | undefined,
  instance: Instance,
): string | undefined {
  const owner = [...(poolAccumulators?.values() ?? [])].find(
    (candidate) => candidate.isServer && candidate.enabled && candidate.active,
  );
  if (!owner) {
    return `static instance ${instance.id} of pool ${instance.pool}: no enabled, active server autoscale config to count it for; ignored`;
  }
  if (instance.state !== 'running' || (owner.requireCheckin && !instance.checkedIn)) return undefined;
  const free = freeSessionsOf(owner, instance.sessions);
  if (free > 0) {
    owner.freeSessions += free;
    owner.staticFreeSessions += free;
    owner.desktopRooms?.push({ free, users: sessionUsers(instance.sessions) });
  }
  return undefined;
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
    else accumulator.busy.push(instance);
    addAvailable(accumulator.available, instance.capacity, sessions);
    if (accumulator.rooms)
      accumulator.rooms.running.push({ id: instance.id, free: freeOf(instance.capacity, sessions) });
    return;
  }
  if (!accumulator.enabled) return;
  const staged = accumulator.staged;
  if (staged) {
    for (let index = 0; index < sessions.length; index++) {
      const session = sessions[index]!;
      if (!isUnusedStaged(session) || session.workspace === undefined) continue;
      const key = stagedCountKey(session.workspace, session.zone ?? instance.zone ?? accumulator.entry.autoscale.zone);
      staged.set(key, (staged.get(key) ?? 0) + 1);
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
      if (accumulator.rooms) accumulator.rooms.pending.push({ id: instance.id, free: { ...capacity } });
    }
    return;
  }
  if (state === 'draining') accumulator.draining.push(instance);
  if (state !== 'running') return;
  if (
    accumulator.watchForSuccess &&
    accumulator.success === undefined &&
    parseInstant(instance.createdAt) > accumulator.lastFailureMs
  ) {
    accumulator.success = instance;
  }
  if (accumulator.spent && instance.sessionEnded) {
    // Not reusable: no new sessions after one ended; destroyed once empty (never with sessions).
    if (sessions.length === 0) accumulator.spent.push(instance);
    return;
  }
  if (sessions.length === 0) accumulator.idle.push(instance);
  if (!accumulator.active) return;
  if (accumulator.isServer) {
    const free = freeSessionsOf(accumulator, sessions);
    if (free > 0) {
      accumulator.freeSessions += free;
      accumulator.desktopRooms?.push({ free, users: sessionUsers(sessions) });
    }
    if (sessions.length > 0) accumulator.busy.push(instance);
    return;
  }
  const readiness = accumulator.imageReadiness?.get(instance.id);
  if (readiness?.retiring) {
    // Takes no new sessions and pulls only once empty: its free room is not coming, so not pending.
    accumulator.retiringAgents += 1;
    return;
  }
  if (readiness && !readiness.ready) {
    // Capacity on the bill but not for users yet: it counts as pending until the images are there.
    accumulator.imageWaitingAgents += 1;
    for (const workspace of readiness.missing)
      accumulator.imageWaiting.set(workspace, (accumulator.imageWaiting.get(workspace) ?? 0) + 1);
    addAvailable(accumulator.pending, capacity, sessions);
    return;
  }
  if (sessions.length > 0) accumulator.busy.push(instance);
  addAvailable(accumulator.available, capacity, sessions);
  if (accumulator.rooms) accumulator.rooms.running.push({ id: instance.id, free: freeOf(capacity, sessions) });
}

/** What the sessions leave free of `capacity`, per resource, never below zero. */
function freeOf(capacity: Resources, sessions: Instance['sessions']): Resources {
  const free = { cores: 0, memoryMb: 0, gpus: 0 };
  addAvailable(free, capacity, sessions);
  return free;
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
  /** Queued requests this config serves (they fit its agent shape). */
  queued: FleetSnapshot['queued'];
  /** Queued requests of the pool no aggressive config's agent fits: reported, never created for. */
  unfitQueued: FleetSnapshot['queued'];
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
  for (const action of actions) reasons.push(action.reason);
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

/** Pool, autoscale and provider of the config's actions. */
const actionBase = (context: PlanContext) => ({
  pool: context.accumulator.entry.pool.id,
  autoscale: context.accumulator.entry.autoscale.id,
  provider: context.accumulator.entry.autoscale.provider,
});

/**
 * Scale-down bookkeeping shared by both kinds: the surplus (idle instances to remove, or busy
 * agents to drain) must last the backoff without interruption; then all go in this step.
 */
function applyDownscaleBackoff(
  context: PlanContext,
  state: AutoscaleState,
  surplus: { removable: Instance[]; drains: Instance[] },
  backoffSeconds: number,
  describe: (instance: Instance) => string,
  describeDrain: (instance: Instance) => string,
  actions: PlanAction[],
  reasons: string[],
): AutoscaleState {
  const { now } = context;
  const { removable, drains } = surplus;
  if (removable.length === 0 && drains.length === 0) return { ...state, surplusSince: null };
  const since = state.surplusSince ?? new Date(now).toISOString();
  const lastedSeconds = (now - parseInstant(since)) / 1000;
  if (lastedSeconds < backoffSeconds) {
    const what = removable.length > 0 ? `${removable.length} idle instance(s)` : `${drains.length} agent(s) to drain`;
    reasons.push(
      `surplus of ${what} for ${Math.floor(lastedSeconds)} s; waiting for downscale backoff ${backoffSeconds} s (${Math.ceil(backoffSeconds - lastedSeconds)} s left)`,
    );
    return { ...state, surplusSince: since };
  }
  const lasted = `surplus lasted ${Math.floor(lastedSeconds)} s ≥ backoff ${backoffSeconds} s`;
  for (const instance of removable) {
    const reason = `scale down ${instance.id}: ${describe(instance)}; ${lasted}`;
    reasons.push(reason);
    actions.push({ ...actionBase(context), type: 'destroy', instanceId: instance.id, cause: 'scale-down', reason });
  }
  for (const instance of drains) {
    const reason = `drain ${instance.id}: ${describeDrain(instance)}; ${lasted}`;
    reasons.push(reason);
    actions.push({ ...actionBase(context), type: 'drain', instanceId: instance.id, reason });
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
      drain: [],
      undrain: [],
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

/** Instance ids of the config's actions of one type. */
const actionIds = (actions: PlanAction[], type: 'destroy' | 'drain' | 'undrain') =>
  actions.flatMap((action) => (action.type === type ? [action.instanceId] : []));

/** Need of an active docker-agent config: standby + missing staged sessions + queued requests it serves. */
function dockerAgentNeed(
  context: PlanContext,
  autoscale: DockerAgentAutoscaleConfig,
): { need: Resources; staging: Resources; queued: Resources } {
  const need: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
  const staging: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
  const queued: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
  if (!context.accumulator.active) return { need, staging, queued };
  for (const stagingConfig of context.staging) {
    const missing = Math.max(
      0,
      stagingConfig.desiredSessions -
        (context.accumulator.staged?.get(
          stagedCountKey(stagingConfig.workspace, stagingZone(stagingConfig, autoscale.zone)),
        ) ?? 0),
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
  return { need, staging, queued };
}

/** How many agents a docker-agent config wants, given the agents it counts as available. */
interface AgentCreates {
  available: Resources;
  /** need − (available + pending), DESIGN's formula. */
  deficit: Resources;
  /** The deficit creates are sized on (queued requests covered by pending capacity only). */
  createDeficit: Resources;
  wanted: number;
  drivers: string[];
  unsatisfiable: ResourceKey[];
  slotFit: StandbySlotFit | undefined;
}

/**
 * The creates of a docker-agent config when `undrained` agents count as available again: the
 * aggregate deficit per resource, and (with standby slots) the new agents the first fit of the
 * queued requests and the slots asks for; `wanted` is the larger.
 */
function agentCreates(
  context: PlanContext,
  autoscale: DockerAgentAutoscaleConfig,
  need: Resources,
  queued: Resources,
  undrained: readonly Instance[],
): AgentCreates {
  const { accumulator } = context;
  const agent = autoscale.agent;
  const available = { ...accumulator.available };
  for (const instance of undrained) {
    const free = freeRoomOf(instance);
    for (const key of RESOURCE_KEYS) available[key] += free[key];
  }
  const deficit: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
  for (const key of RESOURCE_KEYS) deficit[key] = need[key] - (available[key] + accumulator.pending[key]);
  // A queued request is one no agent could take, so free capacity scattered over agents does not
  // serve it: queued requests are covered by pending capacity only (see docs/decisions.md).
  const createDeficit: Resources = { ...deficit };
  if (context.queued.length > 0) {
    for (const key of RESOURCE_KEYS) {
      createDeficit[key] = need[key] - Math.min(available[key], need[key] - queued[key]) - accumulator.pending[key];
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
    const label =
      createDeficit[key] > deficit[key] + 1e-9 ? 'deficit (queued requests fit on no running agent)' : 'deficit';
    drivers.push(`${key} ${label} ${round(createDeficit[key])} / agent ${agent[key]} → ${count}`);
    wanted = Math.max(wanted, count);
  }
  const slotFit = fitSlots(context, autoscale, undrained, new Set());
  if (slotFit && slotFit.newAgents > wanted) {
    drivers.push(
      `standby slots need ${slotFit.newAgents} new agent(s) (${slotFit.onNew} slot session(s) fit on no running or pending agent)`,
    );
    wanted = slotFit.newAgents;
  }
  return { available, deficit, createDeficit, wanted, drivers, unsatisfiable, slotFit };
}

/** First fit of the config's standby slots, without the `excluded` agents and with `undrained` ones; undefined without slots. */
function fitSlots(
  context: PlanContext,
  autoscale: DockerAgentAutoscaleConfig,
  undrained: readonly Instance[],
  excluded: ReadonlySet<string>,
): StandbySlotFit | undefined {
  const rooms = context.accumulator.rooms;
  // Rooms are also collected for predictive slots, which may be none this hour.
  if (!rooms || !context.accumulator.active || autoscale.standby.slots.length === 0) return undefined;
  return fitStandbySlots({
    slots: autoscale.standby.slots,
    running: [
      ...rooms.running.filter((room) => !excluded.has(room.id)),
      ...undrained.map((instance) => ({ id: instance.id, free: freeRoomOf(instance) })),
    ],
    pending: rooms.pending,
    queued: context.queued,
    agent: autoscale.agent,
  });
}

/** A `drain` or `undrain` action of the config, its reason also in `reasons`. */
function planDrainAction(
  context: PlanContext,
  type: 'drain' | 'undrain',
  instance: Instance,
  reason: string,
  actions: PlanAction[],
  reasons: string[],
): void {
  const { entry } = context.accumulator;
  reasons.push(reason);
  actions.push({
    type,
    pool: entry.pool.id,
    autoscale: entry.autoscale.id,
    provider: entry.autoscale.provider,
    instanceId: instance.id,
    reason,
  });
}

function planDockerAgents(
  context: PlanContext,
  autoscale: DockerAgentAutoscaleConfig,
): { plan: ConfigPlan; nextState: AutoscaleState } {
  if (!autoscale.enabled) return disabledPlan(context, { cores: 0, memoryMb: 0, gpus: 0 }, 'instance');
  const { accumulator } = context;
  const { active, pending } = accumulator;
  const agent = autoscale.agent;
  const lifecycle = settleLifecycle(context);
  const { actions, reasons, warnings } = lifecycle;
  let state = lifecycle.state;
  const { need, staging, queued } = dockerAgentNeed(context, autoscale);

  // Draining agents come back before anything boots: they are capacity already paid for.
  const undrained = active
    ? chooseUndrains({
        // An operator's drain stands until the operator undrains it.
        draining: accumulator.draining.filter((instance) => !instance.drainedByOperator),
        short: (taken) => agentCreates(context, autoscale, need, queued, taken).wanted > 0,
      })
    : [];
  const creates = agentCreates(context, autoscale, need, queued, undrained);
  const { available, deficit, createDeficit, wanted, drivers, unsatisfiable, slotFit } = creates;

  if (active) warnings.push(...describeUnfitRequests(context.unfitQueued, agent));
  const unfitText = context.unfitQueued.length ? `; ${context.unfitQueued.length} request(s) fit no agent` : '';
  const slotText = slotFit ? `; ${describeSlotFit(autoscale.standby.slots, slotFit)}` : '';
  const needText = `need ${formatResources(roundResources(need))} (standby ${formatResources(autoscale.standby)}, staging ${formatResources(staging)}, queued ${formatResources(queued)}${context.queued.length ? ` from ${context.queued.length} request(s)` : ''}${unfitText})${slotText}`;
  const haveText = `available ${formatResources(roundResources(available))}, pending ${formatResources(roundResources(pending))}`;
  if (accumulator.imageWaitingAgents > 0) {
    const missing = [...accumulator.imageWaiting].map(([workspace, count]) => `${workspace} ×${count}`).join(', ');
    reasons.push(
      `${accumulator.imageWaitingAgents} agent(s) wait for workspace images (${missing}): their free capacity counts as pending, not available, until the images are present`,
    );
  }
  if (accumulator.retiringAgents > 0) {
    reasons.push(
      `${accumulator.retiringAgents} busy agent(s) serve an old digest of a rolled workspace: they take no new sessions and pull once empty, so their free capacity counts as neither available nor pending`,
    );
  }
  for (const slot of slotFit?.unfit ?? []) {
    warnings.push(
      `unsatisfiable standby slot: ${slot.count} × (${formatResources(slot)}) fits no agent of this config (agent ${formatResources(agent)}); not scaling for it`,
    );
  }
  if (unsatisfiable.length > 0) {
    warnings.push(
      `unsatisfiable: deficit in ${unsatisfiable.map((key) => `${key} ${round(createDeficit[key])}`).join(', ')} but the agent shape has none; not scaling for it`,
    );
  }
  for (const instance of undrained) {
    planDrainAction(
      context,
      'undrain',
      instance,
      `undrain ${instance.id}: ${formatResources(freeRoomOf(instance))} free on it, and the need is not covered without it (cheaper than a boot); ${needText}; ${haveText}`,
      actions,
      reasons,
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
    state = planAgentScaleDown(context, autoscale, state, creates, { needText, haveText, actions, reasons });
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
      destroy: actionIds(actions, 'destroy'),
      drain: actionIds(actions, 'drain'),
      undrain: actionIds(actions, 'undrain'),
      actions,
      reasons,
      warnings,
      unsatisfiable,
      capped: allowed.capped,
    },
    nextState: state,
  };
}

/**
 * Scale-down of a docker-agent config with nothing to create: drained agents that emptied go at
 * once; idle agents go (greedy, oldest first) while every resource and the standby slots stay
 * covered; with no idle agent to remove, the emptiest busy agents are drained under the same
 * rule. Removals and drains wait for the surplus to last the downscale backoff.
 */
function planAgentScaleDown(
  context: PlanContext,
  autoscale: DockerAgentAutoscaleConfig,
  state: AutoscaleState,
  creates: AgentCreates,
  text: { needText: string; haveText: string; actions: PlanAction[]; reasons: string[] },
): AutoscaleState {
  const { accumulator } = context;
  const { active } = accumulator;
  const { needText, haveText, actions, reasons } = text;
  destroyDrainedEmpty(context, actions, reasons);
  // Greedy removal: an idle instance may go if no resource it offers falls below the need afterwards.
  const surplus: Resources = {
    cores: -creates.deficit.cores,
    memoryMb: -creates.deficit.memoryMb,
    gpus: -creates.deficit.gpus,
  };
  const removed = new Set<string>();
  const slotsHold = (excluded: ReadonlySet<string>) =>
    (fitSlots(context, autoscale, [], excluded)?.newAgents ?? 0) === 0;
  const removable: Instance[] = [];
  for (const instance of scaleDownCandidates(accumulator.idle)) {
    const offered = active ? instance.capacity : { cores: 0, memoryMb: 0, gpus: 0 };
    if (!RESOURCE_KEYS.every((key) => offered[key] === 0 || surplus[key] - offered[key] >= -1e-9)) continue;
    removed.add(instance.id);
    if (active && !slotsHold(removed)) {
      removed.delete(instance.id);
      continue;
    }
    removable.push(instance);
    for (const key of RESOURCE_KEYS) surplus[key] -= offered[key];
  }
  const drains =
    removable.length === 0 && active && autoscale.drain
      ? chooseDrains({ busy: accumulator.busy, surplus, stillHolds: (drained) => slotsHold(drained) })
      : [];
  const next = applyDownscaleBackoff(
    context,
    state,
    { removable, drains },
    autoscale.downscaleBackoffSeconds,
    (instance) =>
      active
        ? `idle (${formatResources(instance.capacity)}) and not needed: ${needText}; ${haveText}`
        : 'idle and the config is inactive',
    (instance) =>
      `no agent is idle; its ${formatResources(freeRoomOf(instance))} free are not needed (${instance.sessions.length} session(s) stay until they end): ${needText}; ${haveText}`,
    actions,
    reasons,
  );
  if (removable.length === 0 && drains.length === 0 && active && creates.unsatisfiable.length === 0) {
    reasons.push(`no action: ${needText}; ${haveText}; nothing idle to remove or drain without falling below the need`);
  }
  return next;
}

/** Draining instances that emptied are destroyed at once (no backoff: nothing new lands on them). */
function destroyDrainedEmpty(context: PlanContext, actions: PlanAction[], reasons: string[]): void {
  for (const instance of context.accumulator.draining) {
    if (instance.sessions.length > 0) continue;
    const reason = `scale down ${instance.id}: drained and now empty`;
    reasons.push(reason);
    actions.push({ ...actionBase(context), type: 'destroy', instanceId: instance.id, cause: 'scale-down', reason });
  }
}

/** Free sessions a running server of `owner`'s config offers to `sessions` (may be ≤ 0). */
function freeSessionsOf(owner: ConfigAccumulator, sessions: Instance['sessions']): number {
  const server = owner.entry.autoscale as ServerAutoscaleConfig;
  const users = owner.countUsers ? countDistinctUsers(sessions) : sessions.length;
  return Math.min(server.maxSessionsPerServer - sessions.length, server.maxUsersPerServer - users);
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

/**
 * Session deficit of an active server config and the servers it asks for. On an RDP pool a queued
 * request whose user already holds a desktop on every server with free seats cannot use those
 * seats (one desktop per user per server): it counts against pending and new servers only, and
 * one user's unplaced requests need as many different servers. `undrained` servers count as free again.
 */
function serverDeficit(
  context: PlanContext,
  autoscale: ServerAutoscaleConfig,
  need: number,
  undrained: readonly Instance[],
): { deficit: number; wanted: number; desktopText: string } {
  const { accumulator } = context;
  const { perServer, pendingSessions: pending } = accumulator;
  const freeOf = (instance: Instance) => Math.max(0, freeSessionsOf(accumulator, instance.sessions));
  const free = undrained.reduce((sum, instance) => sum + freeOf(instance), accumulator.freeSessions);
  const deficit = need - (free + pending);
  const wanted = deficit > 0 ? Math.ceil(deficit / perServer) : 0;
  const rooms = accumulator.desktopRooms && [
    ...accumulator.desktopRooms,
    ...undrained.map((instance) => ({ free: freeOf(instance), users: sessionUsers(instance.sessions) })),
  ];
  if (!rooms || !accumulator.active || context.queued.length === 0) return { deficit, wanted, desktopText: '' };
  const placement = placeQueuedDesktops({ rooms, queued: context.queued });
  if (placement.unplaced === 0) return { deficit, wanted, desktopText: '' };
  const freeDeficit = autoscale.minimumAvailableSessions + placement.placed - free;
  const desktopDeficit = Math.max(freeDeficit, 0) + placement.unplaced - pending;
  const pendingServers = Math.floor(pending / perServer);
  const desktopWanted = Math.max(
    desktopDeficit > 0 ? Math.ceil(desktopDeficit / perServer) : 0,
    placement.largestUserShare - pendingServers,
  );
  return {
    deficit: desktopDeficit,
    wanted: desktopWanted,
    desktopText: `; ${placement.unplaced} of them fit no free seat: one desktop per user per server`,
  };
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
  for (const instance of accumulator.spent ?? []) {
    const reason = `destroy ${instance.id}: not reusable (reusable: false) and its session ended; replaced as the minimum needs`;
    reasons.push(reason);
    actions.push({ ...actionBase(context), type: 'destroy', instanceId: instance.id, cause: 'scale-down', reason });
  }
  const freeOf = (instance: Instance) => Math.max(0, freeSessionsOf(accumulator, instance.sessions));

  const queued = active ? context.queued.length : 0;
  const need = active ? autoscale.minimumAvailableSessions + queued : 0;
  // Servers the planner drained come back before a new one boots: they are already paid for.
  const undrained = active
    ? chooseServerUndrains({ draining: accumulator.draining, deficitSessions: need - (free + pending), freeOf })
    : [];
  const available = undrained.reduce((sum, instance) => sum + freeOf(instance), free);
  const { deficit, wanted, desktopText } = serverDeficit(context, autoscale, need, undrained);
  const needText = `need ${need} free session(s) (minimum ${autoscale.minimumAvailableSessions}, queued ${queued}${desktopText})`;
  const staticText = accumulator.staticFreeSessions > 0 ? ` (${accumulator.staticFreeSessions} on static servers)` : '';
  const haveText = `free ${available}${staticText}, pending ${pending} (${perServer} per new server)`;
  for (const instance of undrained) {
    planDrainAction(
      context,
      'undrain',
      instance,
      `undrain ${instance.id}: ${freeOf(instance)} free session(s) on it, and the need is not covered without it (cheaper than a new server); ${needText}; ${haveText}`,
      actions,
      reasons,
    );
  }
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
    destroyDrainedEmpty(context, actions, reasons);
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
    const drains =
      removable.length === 0 && active && autoscale.drain
        ? chooseServerDrains({ busy: accumulator.busy, surplusSessions: surplus, freeOf })
        : [];
    state = applyDownscaleBackoff(
      context,
      state,
      { removable, drains },
      autoscale.downscaleBackoffSeconds,
      () => (active ? `idle and not needed: ${needText}; ${haveText}` : 'idle and the config is inactive'),
      (instance) =>
        `no server is idle; its ${freeOf(instance)} free session(s) are not needed (${instance.sessions.length} session(s) stay until they end): ${needText}; ${haveText}`,
      actions,
      reasons,
    );
    if (removable.length === 0 && drains.length === 0 && active) reasons.push(`no action: ${needText}; ${haveText}`);
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
      available: { sessions: available },
      pending: { sessions: pending },
      deficit: { sessions: deficit },
      create: allowed.count,
      destroy: actionIds(actions, 'destroy'),
      drain: actionIds(actions, 'drain'),
      undrain: actionIds(actions, 'undrain'),
      actions,
      reasons,
      warnings,
      unsatisfiable: [],
      capped: allowed.capped,
    },
    nextState: state,
  };
}
