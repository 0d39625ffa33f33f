import {
  type AutoscaleEntry,
  autoscaleKey,
  ConfigError,
  checkinTimeoutSeconds,
  computeScalingPlan,
  createAutoscaler,
  createMemoryStateStore,
  emptyPlannerState,
  type FleetSnapshot,
  type HeadroomConfig,
  type Instance,
  type InstanceState,
  instanceShape,
  isActive,
  listAutoscaleEntries,
  nextTransition,
  type PlannerState,
  type QueuedRequest,
  type Resources,
  type Session,
  type StagingConfig,
  type TickResult,
} from '@headroom/core';
import { HEADROOM_TAGS, STARTUP_SCRIPT_PLACEHOLDERS } from '@headroom/core/provider';
import { createFakeClock, createFakeProvider, type FakeProvider } from '@headroom/core/test';
import {
  type CloudModel,
  DEFAULT_CLOUD_MODEL,
  type ProviderCloudModel,
  pricePerInstanceHour,
  providerCloudModel,
  sampleBootFailure,
  sampleSeconds,
} from '../cloud-model.js';
import { createRandom } from '../random.js';
import { combineOracles, computeOracle, type OracleResult } from '../results/compute-oracle.js';
import { createResultsRecorder, type DestroyReason } from '../results/results-recorder.js';
import type { SimulationResult } from '../results/simulation-result.js';
import type { SessionTrace, TraceSession } from '../trace/trace-session.js';
import { EventQueue } from './event-queue.js';
import { IndexedHeap } from './indexed-heap.js';
import { withLastPlannerState } from './with-last-planner-state.js';

export interface SimulateOptions {
  /** A parsed config (`parseConfig`). */
  config: HeadroomConfig;
  trace: SessionTrace | readonly TraceSession[];
  /** Defaults to {@link DEFAULT_CLOUD_MODEL}. */
  cloud?: CloudModel;
  /** Seed of every random draw (boot times, failures, check-in delays). Defaults to 1. */
  seed?: number;
  /** Scaler tick interval. Defaults to 30 s. */
  tickSeconds?: number;
  /** Where a new session goes among agents that fit it: the emptiest (`spread`) or the fullest (`pack`). Defaults to `spread`. */
  placement?: 'spread' | 'pack';
  /** A queued request is refused after waiting this long. Defaults to 600 s; `Infinity` waits forever. */
  giveUpSeconds?: number;
  /** Pool of sessions whose trace row names none. Defaults to the first pool of the config. */
  defaultPool?: string;
  /** Start of the run; the fleet starts empty. Defaults to the first arrival minus `warmupSeconds`. */
  startMs?: number;
  /** Defaults to 900 s. */
  warmupSeconds?: number;
  /** End of the run. Defaults to the last departure plus the longest downscale backoff plus two ticks. */
  endMs?: number;
  /** IANA zone for days in the result. Defaults to the trace's zone, else UTC. */
  timezone?: string;
  /** Skip ticks whose plan cannot differ from the last one. Defaults to true; false ticks every interval. */
  skipQuietTicks?: boolean;
  maxTimelinePoints?: number;
  label?: string;
  /** Called every few thousand events with the fraction of simulated time done. */
  onProgress?: (progress: { simulatedMs: number; fraction: number }) => void;
  /**
   * What acts on the plans. `reconciler` (default): the production reconciler (`createAutoscaler`)
   * with fake providers, a memory state store and a fake clock. `planner`: `computeScalingPlan`
   * applied directly to the simulated fleet, faster and equal in results up to tie-breaks between
   * instances created in the same tick (their ids differ).
   */
  engine?: 'reconciler' | 'planner';
}

export interface SimulationRun {
  result: SimulationResult;
  stats: {
    /** Arrivals, departures, boots, check-ins and give-ups processed. */
    events: number;
    /** Tick instants between start and end. */
    ticks: number;
    /** Ticks the planner ran on (the rest were skipped as quiet). */
    ticksEvaluated: number;
  };
  warnings: string[];
}

interface AutoscaleRuntime {
  entry: AutoscaleEntry;
  key: string;
  pool: PoolRuntime;
  model: ProviderCloudModel;
  pricePerInstanceHour: number;
  requireCheckin: boolean;
  checkinTimeoutMs?: number;
  active: boolean;
  nextTransitionMs: number;
  created: number;
}

interface PoolRuntime {
  id: string;
  kind: 'docker-agent' | 'server';
  autoscale: AutoscaleRuntime[];
  instances: SimInstance[];
  queue: SimSession[];
  /** Component-wise smallest waiting request; undefined when it must be recomputed. */
  queueMinimum: Resources | undefined;
  /** Accepting instances, the one with the most free room first (ties: oldest). */
  roomiest: IndexedHeap<'heapIndex', SimInstance>;
  /** Accepting instances by most free cores, memory and GPUs: a session larger than the top fits nowhere. */
  mostFreeCores: IndexedHeap<'coresHeapIndex', SimInstance>;
  mostFreeMemory: IndexedHeap<'memoryHeapIndex', SimInstance>;
  mostFreeGpus: IndexedHeap<'gpusHeapIndex', SimInstance>;
}

interface SimSession {
  trace: TraceSession;
  pool: PoolRuntime;
  arrivedAtMs: number;
  state: 'queued' | 'running' | 'done' | 'refused';
  instance?: SimInstance;
  sinceIso?: string;
  snapshotSession?: Session;
}

interface SimInstance {
  id: string;
  autoscale: AutoscaleRuntime;
  state: InstanceState;
  checkedIn: boolean;
  createdAtMs: number;
  capacity: Resources;
  used: Resources;
  sessionCount: number;
  /** Server pools: sessions per user; anonymous sessions count separately. */
  users: Map<string, number>;
  anonymousSessions: number;
  /** Server pools: the sessions as the planner sees them. */
  sessionList: Session[];
  destroyed: boolean;
  snapshot: Instance;
  aggregate: Session;
  tally: { accepting: boolean; idle: boolean; state: InstanceState | undefined };
  /** Creation order across the run. */
  order: number;
  /** Free room, as {@link SimInstance} placement compares it; kept while accepting. */
  score: number;
  heapIndex: number;
  coresHeapIndex: number;
  memoryHeapIndex: number;
  gpusHeapIndex: number;
  /** The planner's view of `sessions` for agents: one aggregate session when there are any. */
  aggregateList: Session[];
  /** Staged sessions held for a staging config (agents only); their resources are part of `used`. */
  staged: { session: Session; staging: StagingRuntime }[];
  stagedUsed: Resources;
}

interface StagingRuntime {
  config: StagingConfig;
  pool: PoolRuntime;
  runtime: AutoscaleRuntime;
  /** Staged sessions currently held. */
  count: number;
}

interface ReconciledInstance {
  provider: FakeProvider;
  providerInstanceId: string;
}

/** What the cloud model drew for one new instance. */
interface BootDraw {
  bootMs: number;
  failed: boolean;
  checkinDelayMs: number;
}

type SimEvent =
  | { kind: 'departure'; session: SimSession }
  | { kind: 'boot-end'; instance: SimInstance; failed: boolean; checkinDelayMs: number }
  | { kind: 'checkin'; instance: SimInstance }
  | { kind: 'give-up'; session: SimSession };

const epsilon = 1e-9;

/** Placeholder values of startup scripts: rendered by the reconciler, never run. */
const simulatedScriptValues = Object.fromEntries(STARTUP_SCRIPT_PLACEHOLDERS.map((name) => [name, 'simulated']));

/**
 * Replays a trace through the production reconciler (`createAutoscaler`, which plans with
 * `computeScalingPlan`) on a fake clock against one fake provider per provider config, whose boot
 * times, failures and check-in delays follow `cloud`; billing also comes from `cloud`. The
 * simulated fleet is the reconciler's inventory (the control plane's view); `engine: 'planner'`
 * applies `computeScalingPlan` directly instead. Sessions are placed on arrival on running agents
 * of active configs; a session that fits nowhere waits in its pool's queue when an active config
 * of the pool scales aggressively (and counts in the planner's need), else it is refused; a
 * waiting session gives up after `giveUpSeconds`. Deterministic for a given seed; skipping quiet
 * ticks gives the same result as ticking every interval.
 * @throws ConfigError (rejects) when `defaultPool` or autoscale ids do not fit the simulator
 */
export async function simulate(options: SimulateOptions): Promise<SimulationRun> {
  const { config } = options;
  const cloud = options.cloud ?? DEFAULT_CLOUD_MODEL;
  const sessionsIn = Array.isArray(options.trace)
    ? (options.trace as readonly TraceSession[])
    : (options.trace as SessionTrace).sessions;
  const traceTimezone = Array.isArray(options.trace) ? undefined : (options.trace as SessionTrace).timezone;
  const tickMs = (options.tickSeconds ?? 30) * 1000;
  const placement = options.placement ?? 'spread';
  const giveUpMs = (options.giveUpSeconds ?? 600) * 1000;
  const skipQuietTicks = options.skipQuietTicks ?? true;
  const random = createRandom(options.seed ?? 1);
  const warnings: string[] = [];

  const pools = new Map<string, PoolRuntime>();
  const runtimes: AutoscaleRuntime[] = [];
  const roomier = (a: SimInstance, b: SimInstance): boolean =>
    a.score > b.score || (a.score === b.score && a.order < b.order);
  for (const pool of config.pools) {
    pools.set(pool.id, {
      id: pool.id,
      kind: pool.kind,
      autoscale: [],
      instances: [],
      queue: [],
      queueMinimum: undefined,
      roomiest: new IndexedHeap(roomier, 'heapIndex'),
      mostFreeCores: new IndexedHeap(
        (a, b) => a.capacity.cores - a.used.cores > b.capacity.cores - b.used.cores,
        'coresHeapIndex',
      ),
      mostFreeMemory: new IndexedHeap(
        (a, b) => a.capacity.memoryMb - a.used.memoryMb > b.capacity.memoryMb - b.used.memoryMb,
        'memoryHeapIndex',
      ),
      mostFreeGpus: new IndexedHeap(
        (a, b) => a.capacity.gpus - a.used.gpus > b.capacity.gpus - b.used.gpus,
        'gpusHeapIndex',
      ),
    });
  }
  let instanceOrder = 0;
  for (const entry of listAutoscaleEntries(config)) {
    const pool = pools.get(entry.pool.id)!;
    const timeoutSeconds = checkinTimeoutSeconds(entry.autoscale);
    const runtime: AutoscaleRuntime = {
      entry,
      key: autoscaleKey(entry.pool.id, entry.autoscale.id),
      pool,
      model: providerCloudModel({ cloud, providerId: entry.autoscale.provider }),
      pricePerInstanceHour: pricePerInstanceHour({ cloud, autoscaleId: entry.autoscale.id }),
      requireCheckin: timeoutSeconds !== undefined,
      ...(timeoutSeconds !== undefined ? { checkinTimeoutMs: timeoutSeconds * 1000 } : {}),
      active: false,
      nextTransitionMs: Number.NEGATIVE_INFINITY,
      created: 0,
    };
    pool.autoscale.push(runtime);
    runtimes.push(runtime);
  }
  const defaultPool = options.defaultPool ?? config.pools[0]?.id;
  if (defaultPool === undefined || !pools.has(defaultPool)) {
    throw new ConfigError({
      issues: [{ path: 'defaultPool', message: `pool "${defaultPool ?? ''}" is not in the config` }],
      source: 'simulate',
    });
  }

  const stagings: StagingRuntime[] = [];
  for (const staging of config.staging) {
    const runtime = runtimes.find((candidate) => candidate.key === autoscaleKey(staging.pool, staging.autoscale));
    if (runtime?.pool.kind !== 'docker-agent') {
      warnings.push(
        `staging ${staging.id}: ${staging.pool}/${staging.autoscale} is not a docker-agent autoscale config; not simulated`,
      );
      continue;
    }
    stagings.push({ config: staging, pool: runtime.pool, runtime, count: 0 });
  }

  const sessions = [...sessionsIn].sort((a, b) => a.startMs - b.startMs);
  const lastDepartureMs = sessions.reduce(
    (latest, session) => Math.max(latest, session.startMs + session.durationMs),
    0,
  );
  const firstArrivalMs = sessions[0]?.startMs ?? 0;
  const startMs = options.startMs ?? firstArrivalMs - (options.warmupSeconds ?? 900) * 1000;
  const longestBackoffMs = Math.max(
    0,
    ...runtimes.map((runtime) => runtime.entry.autoscale.downscaleBackoffSeconds * 1000),
  );
  const endMs = options.endMs ?? Math.max(startMs, lastDepartureMs) + longestBackoffMs + 2 * tickMs;
  const timezone = options.timezone ?? traceTimezone ?? 'UTC';

  const recorder = createResultsRecorder({
    startMs,
    endMs,
    timezone,
    ...(options.maxTimelinePoints !== undefined ? { maxTimelinePoints: options.maxTimelinePoints } : {}),
    ...(options.label !== undefined ? { label: options.label } : {}),
    autoscale: runtimes.map((runtime) => ({
      id: runtime.entry.autoscale.id,
      pricePerInstanceHour: runtime.pricePerInstanceHour,
      billing: runtime.model.billing,
      downscaleBackoffSeconds: runtime.entry.autoscale.downscaleBackoffSeconds,
    })),
  });
  // Recorder ids are autoscale ids; make them unique per pool when two pools reuse an id.
  const recorderIds = new Set(runtimes.map((runtime) => runtime.entry.autoscale.id));
  if (recorderIds.size !== runtimes.length) {
    throw new ConfigError({
      issues: [
        {
          path: 'pools',
          message: 'autoscale config ids must be unique across pools for the simulator to price and report them',
        },
      ],
      source: 'simulate',
    });
  }

  const engine = options.engine ?? 'reconciler';
  const instancesById = new Map<string, SimInstance>();
  /** Instances created through the reconciler, with their fake provider and provider instance id. */
  const reconciledInstances = new Map<string, ReconciledInstance>();
  /** Check-ins that happened since the last tick, recorded with the autoscaler before the next one. */
  const checkinsToRecord: { instanceId: string; at: number }[] = [];
  /** The planner's view of the fleet, kept up to date by `retally` (creation order). */
  const snapshotInstances: Instance[] = [];
  const noSessions: Session[] = [];
  const events = new EventQueue<SimEvent>();
  const totals = {
    states: { requested: 0, creating: 0, starting: 0, running: 0, draining: 0, destroying: 0, failed: 0 } as Record<
      InstanceState,
      number
    >,
    capacity: { cores: 0, memoryMb: 0, gpus: 0 },
    used: { cores: 0, memoryMb: 0, gpus: 0 },
    queued: { cores: 0, memoryMb: 0, gpus: 0 },
    sessionsRunning: 0,
    sessionsWaiting: 0,
    idleInstances: 0,
  };
  let eventCount = 0;
  let dirty = true;

  const retally = (instance: SimInstance): void => {
    const accepting =
      !instance.destroyed &&
      instance.state === 'running' &&
      (instance.checkedIn || !instance.autoscale.requireCheckin) &&
      instance.autoscale.active;
    const idle = !instance.destroyed && instance.state === 'running' && instance.sessionCount === 0;
    const state = instance.destroyed ? undefined : instance.state;
    const before = instance.tally;
    if (before.state !== state) {
      if (before.state) totals.states[before.state]--;
      if (state) totals.states[state]++;
    }
    if (before.accepting !== accepting) {
      const sign = accepting ? 1 : -1;
      totals.capacity.cores += sign * instance.capacity.cores;
      totals.capacity.memoryMb += sign * instance.capacity.memoryMb;
      totals.capacity.gpus += sign * instance.capacity.gpus;
    }
    if (before.idle !== idle) totals.idleInstances += idle ? 1 : -1;
    instance.tally = { accepting, idle, state };
    const pool = instance.autoscale.pool;
    if (accepting) {
      instance.score = freeScore(instance);
      upsert(pool.roomiest, instance);
      upsert(pool.mostFreeCores, instance);
      upsert(pool.mostFreeMemory, instance);
      upsert(pool.mostFreeGpus, instance);
    } else {
      pool.roomiest.remove(instance);
      pool.mostFreeCores.remove(instance);
      pool.mostFreeMemory.remove(instance);
      pool.mostFreeGpus.remove(instance);
    }
    const snapshot = instance.snapshot;
    snapshot.state = instance.state;
    snapshot.checkedIn = instance.checkedIn;
    if (pool.kind === 'server') {
      snapshot.sessions = instance.sessionList;
      return;
    }
    if (instance.sessionCount > 0) {
      instance.aggregate.cores = instance.used.cores - instance.stagedUsed.cores;
      instance.aggregate.memoryMb = instance.used.memoryMb - instance.stagedUsed.memoryMb;
      instance.aggregate.gpus = instance.used.gpus - instance.stagedUsed.gpus;
    }
    if (instance.staged.length > 0) {
      snapshot.sessions = [
        ...(instance.sessionCount > 0 ? instance.aggregateList : []),
        ...instance.staged.map((entry) => entry.session),
      ];
    } else {
      snapshot.sessions = instance.sessionCount > 0 ? instance.aggregateList : noSessions;
    }
  };

  const sample = (atMs: number): void => {
    recorder.fleet({
      atMs,
      instancesByState: { ...totals.states },
      capacity: { ...totals.capacity },
      used: { ...totals.used },
      demand: {
        cores: totals.used.cores + totals.queued.cores,
        memoryMb: totals.used.memoryMb + totals.queued.memoryMb,
        gpus: totals.used.gpus + totals.queued.gpus,
      },
      sessionsRunning: totals.sessionsRunning,
      sessionsWaiting: totals.sessionsWaiting,
      idleInstances: totals.idleInstances,
    });
  };

  const refreshActivity = (atMs: number): void => {
    for (const runtime of runtimes) {
      if (atMs < runtime.nextTransitionMs) continue;
      const schedules = runtime.entry.autoscale.schedules;
      const active = runtime.entry.autoscale.enabled && isActive(schedules, atMs);
      runtime.nextTransitionMs =
        schedules.length > 0 ? (nextTransition(schedules, atMs) ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
      if (active === runtime.active) continue;
      runtime.active = active;
      dirty = true;
      for (const instance of runtime.pool.instances) if (instance.autoscale === runtime) retally(instance);
      if (active) drainQueue(runtime.pool, atMs);
    }
  };

  const fits = (instance: SimInstance, session: TraceSession): boolean => {
    if (!instance.tally.accepting) return false;
    if (instance.autoscale.pool.kind === 'server') {
      const autoscale = instance.autoscale.entry.autoscale as {
        maxSessionsPerServer: number;
        maxUsersPerServer: number;
      };
      if (instance.sessionCount >= autoscale.maxSessionsPerServer) return false;
      if (session.user !== undefined && instance.users.has(session.user)) return true;
      return instance.users.size + instance.anonymousSessions < autoscale.maxUsersPerServer;
    }
    return (
      instance.capacity.cores - instance.used.cores >= session.cores - epsilon &&
      instance.capacity.memoryMb - instance.used.memoryMb >= session.memoryMb - epsilon &&
      instance.capacity.gpus - instance.used.gpus >= session.gpus - epsilon
    );
  };

  const choose = (pool: PoolRuntime, session: TraceSession): SimInstance | undefined => {
    if (pool.kind === 'docker-agent') {
      const cores = pool.mostFreeCores.peek();
      if (cores === undefined || cores.capacity.cores - cores.used.cores < session.cores - epsilon) return undefined;
      const memory = pool.mostFreeMemory.peek()!;
      if (memory.capacity.memoryMb - memory.used.memoryMb < session.memoryMb - epsilon) return undefined;
      const gpus = pool.mostFreeGpus.peek()!;
      if (gpus.capacity.gpus - gpus.used.gpus < session.gpus - epsilon) return undefined;
    }
    if (placement === 'spread') {
      const roomiest = pool.roomiest.peek();
      if (roomiest === undefined) return undefined;
      if (fits(roomiest, session)) return roomiest;
      // The roomiest overall lacks one resource: the agents with the most of each resource are next.
      if (pool.kind === 'docker-agent') {
        for (const candidate of [pool.mostFreeMemory.peek(), pool.mostFreeCores.peek(), pool.mostFreeGpus.peek()]) {
          if (candidate && fits(candidate, session)) return candidate;
        }
      }
    }
    let best: SimInstance | undefined;
    let bestScore = 0;
    for (const instance of pool.instances) {
      if (!fits(instance, session)) continue;
      const score = instance.score;
      if (best === undefined || (placement === 'spread' ? score > bestScore : score < bestScore)) {
        best = instance;
        bestScore = score;
      }
    }
    return best;
  };

  const place = (session: SimSession, instance: SimInstance, atMs: number): void => {
    const { trace } = session;
    session.state = 'running';
    session.instance = instance;
    instance.sessionCount++;
    instance.used.cores += trace.cores;
    instance.used.memoryMb += trace.memoryMb;
    instance.used.gpus += trace.gpus;
    totals.used.cores += trace.cores;
    totals.used.memoryMb += trace.memoryMb;
    totals.used.gpus += trace.gpus;
    totals.sessionsRunning++;
    if (instance.autoscale.pool.kind === 'server') {
      if (trace.user === undefined) instance.anonymousSessions++;
      else instance.users.set(trace.user, (instance.users.get(trace.user) ?? 0) + 1);
      const snapshotSession: Session = {
        id: `s${instance.sessionList.length}-${atMs}`,
        cores: trace.cores,
        memoryMb: trace.memoryMb,
        gpus: trace.gpus,
        staged: false,
        ...(trace.user !== undefined ? { user: trace.user } : {}),
      };
      session.snapshotSession = snapshotSession;
      instance.sessionList.push(snapshotSession);
    }
    retally(instance);
    recorder.sessionStarted({ waitedMs: atMs - session.arrivedAtMs });
    events.push(atMs + trace.durationMs, { kind: 'departure', session });
    dirty = true;
  };

  /** Takes a session's request out of the waiting totals (the caller removes it from the queue array). */
  const releaseQueued = (session: SimSession): void => {
    totals.sessionsWaiting--;
    totals.queued.cores -= session.trace.cores;
    totals.queued.memoryMb -= session.trace.memoryMb;
    totals.queued.gpus -= session.trace.gpus;
    if (totals.sessionsWaiting === 0) totals.queued = { cores: 0, memoryMb: 0, gpus: 0 };
  };

  /**
   * Places waiting sessions, first come first served, skipping those that fit nowhere. With `onto`,
   * only that instance gained room since the last drain, so only it is tried.
   */
  const drainQueue = (pool: PoolRuntime, atMs: number, onto?: SimInstance): void => {
    if (pool.queue.length === 0) return;
    if (onto) {
      if (!onto.tally.accepting) return;
      if (pool.kind === 'docker-agent') {
        if (pool.queueMinimum === undefined) {
          const minimum = {
            cores: Number.POSITIVE_INFINITY,
            memoryMb: Number.POSITIVE_INFINITY,
            gpus: Number.POSITIVE_INFINITY,
          };
          for (const session of pool.queue) {
            minimum.cores = Math.min(minimum.cores, session.trace.cores);
            minimum.memoryMb = Math.min(minimum.memoryMb, session.trace.memoryMb);
            minimum.gpus = Math.min(minimum.gpus, session.trace.gpus);
          }
          pool.queueMinimum = minimum;
        }
        const minimum = pool.queueMinimum;
        if (
          onto.capacity.cores - onto.used.cores < minimum.cores - epsilon ||
          onto.capacity.memoryMb - onto.used.memoryMb < minimum.memoryMb - epsilon ||
          onto.capacity.gpus - onto.used.gpus < minimum.gpus - epsilon
        ) {
          return;
        }
      }
    }
    let placed = 0;
    for (const session of pool.queue) {
      const instance = onto ? (fits(onto, session.trace) ? onto : undefined) : choose(pool, session.trace);
      if (!instance) continue;
      placed++;
      releaseQueued(session);
      place(session, instance, atMs);
    }
    if (placed > 0) {
      pool.queue = pool.queue.filter((session) => session.state === 'queued');
      pool.queueMinimum = undefined;
    }
  };

  const adjustUsed = (instance: SimInstance, resources: Resources, sign: 1 | -1): void => {
    instance.used.cores += sign * resources.cores;
    instance.used.memoryMb += sign * resources.memoryMb;
    instance.used.gpus += sign * resources.gpus;
    instance.stagedUsed.cores += sign * resources.cores;
    instance.stagedUsed.memoryMb += sign * resources.memoryMb;
    instance.stagedUsed.gpus += sign * resources.gpus;
    totals.used.cores += sign * resources.cores;
    totals.used.memoryMb += sign * resources.memoryMb;
    totals.used.gpus += sign * resources.gpus;
    if (instance.staged.length === 0) instance.stagedUsed = { cores: 0, memoryMb: 0, gpus: 0 };
  };

  /** The staging broker: tops every active staging config up to `desiredSessions` on agents of its autoscale config that have room. */
  const replenishStaging = (atMs: number): boolean => {
    let staged = false;
    for (const staging of stagings) {
      if (!staging.runtime.active) continue;
      const size = staging.config.session;
      while (staging.count < staging.config.desiredSessions) {
        let best: SimInstance | undefined;
        for (const instance of staging.pool.instances) {
          if (instance.autoscale !== staging.runtime || !fits(instance, { ...size, startMs: 0, durationMs: 0 }))
            continue;
          if (best === undefined || instance.score > best.score) best = instance;
        }
        if (!best) break;
        staging.count++;
        best.staged.push({
          session: {
            id: `${staging.config.id}.${atMs}.${staging.count}`,
            workspace: staging.config.workspace,
            ...size,
            staged: true,
          },
          staging,
        });
        adjustUsed(best, size, 1);
        retally(best);
        staged = true;
      }
    }
    return staged;
  };

  /** Hands an arriving session a compatible staged session (same workspace, at least its size), if one exists. */
  const takeStaged = (pool: PoolRuntime, trace: TraceSession): SimInstance | undefined => {
    if (trace.workspace === undefined || stagings.length === 0) return undefined;
    for (const instance of pool.instances) {
      if (instance.staged.length === 0 || !instance.tally.accepting) continue;
      const index = instance.staged.findIndex(
        (entry) =>
          entry.session.workspace === trace.workspace &&
          entry.session.cores >= trace.cores - epsilon &&
          entry.session.memoryMb >= trace.memoryMb - epsilon &&
          entry.session.gpus >= trace.gpus - epsilon,
      );
      if (index < 0) continue;
      const [entry] = instance.staged.splice(index, 1);
      entry!.staging.count--;
      adjustUsed(instance, entry!.session, -1);
      return instance;
    }
    return undefined;
  };

  const arrive = (trace: TraceSession, atMs: number): void => {
    const pool = pools.get(trace.pool ?? defaultPool);
    if (!pool) {
      recorder.sessionRefused({ reason: 'no-capacity' });
      if (!warnings.some((warning) => warning.startsWith(`pool "${trace.pool}"`))) {
        warnings.push(`pool "${trace.pool}" of some trace sessions is not in the config; they were refused`);
      }
      return;
    }
    const session: SimSession = { trace, pool, arrivedAtMs: atMs, state: 'queued' };
    dirty = true;
    const instance = takeStaged(pool, trace) ?? choose(pool, trace);
    if (instance) {
      place(session, instance, atMs);
      return;
    }
    const aggressive = pool.autoscale.some((runtime) => runtime.active && runtime.entry.autoscale.aggressiveScaling);
    if (!aggressive) {
      session.state = 'refused';
      recorder.sessionRefused({ reason: 'no-capacity' });
      return;
    }
    session.sinceIso = new Date(atMs).toISOString();
    pool.queue.push(session);
    if (pool.queueMinimum) {
      pool.queueMinimum.cores = Math.min(pool.queueMinimum.cores, trace.cores);
      pool.queueMinimum.memoryMb = Math.min(pool.queueMinimum.memoryMb, trace.memoryMb);
      pool.queueMinimum.gpus = Math.min(pool.queueMinimum.gpus, trace.gpus);
    }
    totals.sessionsWaiting++;
    totals.queued.cores += trace.cores;
    totals.queued.memoryMb += trace.memoryMb;
    totals.queued.gpus += trace.gpus;
    if (Number.isFinite(giveUpMs)) events.push(atMs + giveUpMs, { kind: 'give-up', session });
  };

  const depart = (session: SimSession, atMs: number): void => {
    const instance = session.instance!;
    const { trace } = session;
    session.state = 'done';
    instance.sessionCount--;
    totals.sessionsRunning--;
    if (instance.sessionCount === 0) {
      instance.used = { ...instance.stagedUsed };
    } else {
      instance.used.cores -= trace.cores;
      instance.used.memoryMb -= trace.memoryMb;
      instance.used.gpus -= trace.gpus;
    }
    totals.used.cores -= trace.cores;
    totals.used.memoryMb -= trace.memoryMb;
    totals.used.gpus -= trace.gpus;
    if (totals.sessionsRunning === 0 && stagings.length === 0) totals.used = { cores: 0, memoryMb: 0, gpus: 0 };
    if (instance.autoscale.pool.kind === 'server') {
      if (trace.user === undefined) instance.anonymousSessions--;
      else {
        const count = (instance.users.get(trace.user) ?? 1) - 1;
        if (count === 0) instance.users.delete(trace.user);
        else instance.users.set(trace.user, count);
      }
      const index = instance.sessionList.indexOf(session.snapshotSession!);
      if (index >= 0) instance.sessionList.splice(index, 1);
    }
    retally(instance);
    dirty = true;
    drainQueue(instance.autoscale.pool, atMs, instance);
  };

  const drawBoot = (model: ProviderCloudModel): BootDraw => {
    const bootMs = Math.round(sampleSeconds({ distribution: model.bootTime, random }) * 1000);
    const failed = sampleBootFailure({ model, random });
    const checkinDelayMs = Math.round(sampleSeconds({ distribution: model.checkinDelay, random }) * 1000);
    return { bootMs, failed, checkinDelayMs };
  };

  /** Adds an instance the cloud accepted at `atMs` to the fleet; it boots as `draw` says. */
  const addInstance = (options: {
    runtime: AutoscaleRuntime;
    id: string;
    shape: Resources;
    atMs: number;
    draw: BootDraw;
  }): void => {
    const { runtime, id, shape, atMs, draw } = options;
    runtime.created++;
    const aggregate: Session = { id: `${id}.sessions`, cores: 0, memoryMb: 0, gpus: 0, staged: false };
    const instance: SimInstance = {
      id,
      autoscale: runtime,
      state: 'starting',
      checkedIn: false,
      createdAtMs: atMs,
      capacity: { ...shape },
      used: { cores: 0, memoryMb: 0, gpus: 0 },
      sessionCount: 0,
      users: new Map(),
      anonymousSessions: 0,
      sessionList: [],
      destroyed: false,
      aggregate,
      snapshot: {
        id,
        pool: runtime.entry.pool.id,
        autoscale: runtime.entry.autoscale.id,
        provider: runtime.entry.autoscale.provider,
        state: 'starting',
        checkedIn: false,
        createdAt: new Date(atMs).toISOString(),
        capacity: { ...shape },
        sessions: [],
      },
      tally: { accepting: false, idle: false, state: undefined },
      order: instanceOrder++,
      score: 0,
      heapIndex: -1,
      coresHeapIndex: -1,
      memoryHeapIndex: -1,
      gpusHeapIndex: -1,
      aggregateList: [aggregate],
      staged: [],
      stagedUsed: { cores: 0, memoryMb: 0, gpus: 0 },
    };
    instancesById.set(id, instance);
    runtime.pool.instances.push(instance);
    snapshotInstances.push(instance.snapshot);
    retally(instance);
    recorder.instanceCreated({ instanceId: id, autoscaleId: runtime.entry.autoscale.id, atMs });
    events.push(atMs + draw.bootMs, {
      kind: 'boot-end',
      instance,
      failed: draw.failed,
      checkinDelayMs: draw.checkinDelayMs,
    });
  };

  const destroyInstance = (instance: SimInstance, atMs: number, reason: DestroyReason): void => {
    if (instance.destroyed) return;
    for (const entry of instance.staged) {
      entry.staging.count--;
      totals.used.cores -= entry.session.cores;
      totals.used.memoryMb -= entry.session.memoryMb;
      totals.used.gpus -= entry.session.gpus;
    }
    instance.staged = [];
    instance.destroyed = true;
    retally(instance);
    instancesById.delete(instance.id);
    const list = instance.autoscale.pool.instances;
    list.splice(list.indexOf(instance), 1);
    snapshotInstances.splice(snapshotInstances.indexOf(instance.snapshot), 1);
    recorder.instanceDestroyed({ instanceId: instance.id, atMs, reason });
  };

  const handle = (event: SimEvent, atMs: number): void => {
    eventCount++;
    switch (event.kind) {
      case 'departure':
        depart(event.session, atMs);
        return;
      case 'give-up':
        if (event.session.state !== 'queued') return;
        releaseQueued(event.session);
        event.session.pool.queue.splice(event.session.pool.queue.indexOf(event.session), 1);
        event.session.pool.queueMinimum = undefined;
        event.session.state = 'refused';
        recorder.sessionRefused({ reason: 'gave-up' });
        dirty = true;
        return;
      case 'boot-end': {
        const { instance } = event;
        if (instance.destroyed) return;
        dirty = true;
        if (event.failed) {
          instance.state = 'failed';
          const reconciled = reconciledInstances.get(instance.id);
          if (reconciled) reconciled.provider.failInstance({ instanceId: reconciled.providerInstanceId });
          retally(instance);
          return;
        }
        instance.state = 'running';
        recorder.instanceRunning({ instanceId: instance.id, atMs });
        if (instance.autoscale.requireCheckin) events.push(atMs + event.checkinDelayMs, { kind: 'checkin', instance });
        else instance.checkedIn = true;
        retally(instance);
        drainQueue(instance.autoscale.pool, atMs, instance);
        return;
      }
      case 'checkin': {
        const { instance } = event;
        if (instance.destroyed) return;
        instance.checkedIn = true;
        if (reconciledInstances.has(instance.id)) checkinsToRecord.push({ instanceId: instance.id, at: atMs });
        dirty = true;
        retally(instance);
        drainQueue(instance.autoscale.pool, atMs, instance);
        return;
      }
    }
  };

  let plannerStateJson = JSON.stringify(emptyPlannerState());
  let wakeMs = Number.POSITIVE_INFINITY;

  const buildSnapshot = (atMs: number): FleetSnapshot => {
    const queued: QueuedRequest[] = [];
    for (const pool of pools.values()) {
      for (const session of pool.queue) {
        queued.push({
          pool: pool.id,
          cores: session.trace.cores,
          memoryMb: session.trace.memoryMb,
          gpus: session.trace.gpus,
          since: session.sinceIso!,
          ...(session.trace.user !== undefined ? { user: session.trace.user } : {}),
          ...(session.trace.workspace !== undefined ? { workspace: session.trace.workspace } : {}),
        });
      }
    }
    return { at: new Date(atMs).toISOString(), instances: snapshotInstances, queued };
  };

  /**
   * Ends a tick: tops up staging, decides whether the next tick may be skipped (nothing acted and
   * the planner state is unchanged) and until when (the next backoff expiry, schedule transition
   * or check-in timeout), and samples the fleet.
   */
  const finishTick = (atMs: number, nextState: PlannerState, acted: boolean): void => {
    const nextJson = JSON.stringify(nextState);
    const stateChanged = nextJson !== plannerStateJson;
    plannerStateJson = nextJson;
    const staged = replenishStaging(atMs);
    dirty = acted || stateChanged || staged;
    wakeMs = Number.POSITIVE_INFINITY;
    for (const runtime of runtimes) {
      const state = nextState.autoscale[runtime.key];
      if (state?.surplusSince)
        wakeMs = Math.min(
          wakeMs,
          Date.parse(state.surplusSince) + runtime.entry.autoscale.downscaleBackoffSeconds * 1000,
        );
      if (state?.createBlockedUntil) {
        const blockedUntil = Date.parse(state.createBlockedUntil);
        if (blockedUntil > atMs) wakeMs = Math.min(wakeMs, blockedUntil);
      }
      wakeMs = Math.min(wakeMs, runtime.nextTransitionMs);
      if (runtime.checkinTimeoutMs !== undefined) {
        for (const instance of runtime.pool.instances) {
          if (instance.autoscale === runtime && !instance.checkedIn)
            wakeMs = Math.min(wakeMs, instance.createdAtMs + runtime.checkinTimeoutMs);
        }
      }
    }
    sample(atMs);
  };

  const runtimeByKey = new Map(runtimes.map((runtime) => [runtime.key, runtime]));
  const destroyReasonOf = (cause: string): DestroyReason =>
    cause === 'failed' ? 'boot-failure' : cause === 'checkin-timeout' ? 'checkin-timeout' : 'scale-down';

  // Engine `planner`: plans applied directly to the fleet.
  let plannerState: PlannerState = emptyPlannerState();
  const plannerTick = (atMs: number): void => {
    const { plan, nextState } = computeScalingPlan({
      config,
      snapshot: buildSnapshot(atMs),
      state: plannerState,
      now: atMs,
    });
    let acted = false;
    for (const configPlan of plan.configs) {
      const runtime = runtimeByKey.get(autoscaleKey(configPlan.pool, configPlan.autoscale))!;
      for (const action of configPlan.actions) {
        acted = true;
        if (action.type === 'create') {
          for (let index = 0; index < action.count; index++) {
            addInstance({
              runtime,
              id: `${runtime.entry.pool.id}.${runtime.entry.autoscale.id}.${runtime.created + 1}`,
              shape: action.shape ?? instanceShape(runtime.entry.autoscale),
              atMs,
              draw: drawBoot(runtime.model),
            });
          }
        } else {
          const instance = instancesById.get(action.instanceId);
          if (!instance) continue;
          destroyInstance(instance, atMs, destroyReasonOf(action.cause));
        }
      }
    }
    plannerState = nextState;
    finishTick(atMs, nextState, acted);
  };

  // Engine `reconciler`: the production reconciler against fake providers on a fake clock. The cloud
  // model draws each instance's boot when the fake cloud creates it (its boot delay function).
  const createReconcilerTick = (): ((atMs: number) => Promise<void>) => {
    const clock = createFakeClock({ startMs });
    const store = withLastPlannerState(createMemoryStateStore());
    const createdDraws = new Map<
      string,
      BootDraw & { runtime: AutoscaleRuntime; shape: Resources; reconciled: ReconciledInstance }
    >();
    const fakeProviders: Record<string, FakeProvider> = {};
    for (const providerId of Object.keys(config.providers)) {
      const model = providerCloudModel({ cloud, providerId });
      const provider: FakeProvider = createFakeProvider({
        providerId,
        clock,
        latencyMs: 0,
        bootDelayMs: (record) => {
          const runtime = runtimeByKey.get(
            autoscaleKey(record.tags[HEADROOM_TAGS.pool] ?? '', record.tags[HEADROOM_TAGS.autoscale] ?? ''),
          );
          const draw = drawBoot(runtime?.model ?? model);
          if (runtime) {
            createdDraws.set(record.name, {
              ...draw,
              runtime,
              shape: record.shape,
              reconciled: { provider, providerInstanceId: record.instanceId },
            });
          }
          return draw.bootMs;
        },
      });
      fakeProviders[providerId] = provider;
    }
    const keyRandom = createRandom(((options.seed ?? 1) ^ 0x5bd1e995) >>> 0);
    const autoscaler = createAutoscaler({
      config,
      store,
      providers: fakeProviders,
      inventory: { getSnapshot: async ({ now }) => buildSnapshot(now) },
      clock,
      timers: clock,
      random: keyRandom.next,
      rateLimit: { callsPerSecond: Number.POSITIVE_INFINITY, concurrency: 1_000_000 },
      startupScriptValues: () => simulatedScriptValues,
    });
    const reportedErrors = new Set<string>();

    return async (atMs: number): Promise<void> => {
      await clock.advanceTo(atMs);
      let settled = false;
      const pending = autoscaler.tick().finally(() => {
        settled = true;
      });
      // Check-ins since the last tick, recorded while this tick is in flight: the tick writes them all
      // to the ledger in one pass before it plans (one ledger read instead of one per check-in).
      const recorded = checkinsToRecord.splice(0).map((checkin) => autoscaler.recordCheckin(checkin));
      // Provider calls take no virtual time; should any sleep (a rate limit, a retry), time moves on.
      while (!settled && (await clock.advanceToNextTimer())) {}
      const result: TickResult = await pending;
      await Promise.all(recorded);
      for (const error of result.errors) {
        const text = `reconciler ${error.scope}: ${error.errorClass}: ${error.message}`;
        if (reportedErrors.has(error.scope) || reportedErrors.size >= 20) continue;
        reportedErrors.add(error.scope);
        warnings.push(text);
      }
      const { actions } = result;
      for (const { id, cause } of actions.destroyed) {
        const instance = instancesById.get(id);
        if (instance) destroyInstance(instance, atMs, destroyReasonOf(cause));
        reconciledInstances.delete(id);
      }
      for (const id of actions.created) {
        const draw = createdDraws.get(id);
        if (!draw) continue;
        createdDraws.delete(id);
        reconciledInstances.set(id, draw.reconciled);
        addInstance({ runtime: draw.runtime, id, shape: draw.shape, atMs, draw });
      }
      const planned = result.plan?.configs.some((configPlan) => configPlan.actions.length > 0) ?? false;
      const acted =
        planned ||
        actions.created.length > 0 ||
        actions.destroyed.length > 0 ||
        actions.createFailed > 0 ||
        actions.destroyFailed > 0 ||
        actions.destroySkipped.length > 0 ||
        actions.intentsResolved > 0 ||
        actions.orphansFound.length > 0 ||
        result.errors.length > 0;
      finishTick(atMs, store.lastPlannerState ?? (await store.getPlannerState()), acted);
    };
  };
  const reconcilerTick = engine === 'reconciler' ? createReconcilerTick() : undefined;

  let arrivalIndex = 0;
  while (arrivalIndex < sessions.length && sessions[arrivalIndex]!.startMs < startMs) arrivalIndex++;
  const firstArrivalIndex = arrivalIndex;
  if (arrivalIndex > 0) warnings.push(`${arrivalIndex} session(s) before the start were left out`);
  const nextEventMs = (): number =>
    Math.min(
      events.peekTime(),
      arrivalIndex < sessions.length ? sessions[arrivalIndex]!.startMs : Number.POSITIVE_INFINITY,
    );
  const processUntil = (untilMs: number): void => {
    for (;;) {
      const heapMs = events.peekTime();
      const arrivalMs = arrivalIndex < sessions.length ? sessions[arrivalIndex]!.startMs : Number.POSITIVE_INFINITY;
      const atMs = Math.min(heapMs, arrivalMs);
      if (atMs > untilMs) return;
      refreshActivity(atMs);
      if (heapMs <= arrivalMs) {
        handle(events.pop()!, atMs);
      } else {
        eventCount++;
        arrive(sessions[arrivalIndex++]!, atMs);
      }
      if (
        Math.min(
          events.peekTime(),
          arrivalIndex < sessions.length ? sessions[arrivalIndex]!.startMs : Number.POSITIVE_INFINITY,
        ) !== atMs
      )
        sample(atMs);
      if (options.onProgress && eventCount % 8192 === 0) {
        options.onProgress({
          simulatedMs: atMs - startMs,
          fraction: Math.min(1, (atMs - startMs) / Math.max(1, endMs - startMs)),
        });
      }
    }
  };

  refreshActivity(startMs);
  sample(startMs);
  let ticksEvaluated = 0;
  const gridAtOrAfter = (atMs: number): number => startMs + Math.ceil((atMs - startMs) / tickMs) * tickMs;
  let tickAtMs = startMs;
  while (tickAtMs <= endMs) {
    processUntil(tickAtMs);
    refreshActivity(tickAtMs);
    if (!skipQuietTicks || dirty || tickAtMs >= wakeMs) {
      ticksEvaluated++;
      if (engine === 'planner') plannerTick(tickAtMs);
      else await reconcilerTick!(tickAtMs);
    }
    if (!skipQuietTicks || dirty) {
      tickAtMs += tickMs;
    } else {
      const next = Math.min(nextEventMs(), wakeMs);
      tickAtMs = Number.isFinite(next) ? Math.max(tickAtMs + tickMs, gridAtOrAfter(next)) : endMs + 1;
    }
  }
  processUntil(endMs);
  const ticks = Math.floor((endMs - startMs) / tickMs) + 1;
  if (totals.sessionsWaiting > 0) warnings.push(`${totals.sessionsWaiting} session(s) were still waiting at the end`);
  const oracle = computePoolOracles({
    runtimes,
    pools,
    sessions: sessions.slice(firstArrivalIndex),
    defaultPool,
    endMs,
  });
  const result = recorder.finish({ atMs: endMs, ...(oracle ? { oracle } : {}) });
  options.onProgress?.({ simulatedMs: endMs - startMs, fraction: 1 });
  return { result, stats: { events: eventCount, ticks, ticksEvaluated }, warnings };
}

function upsert<Slot extends 'heapIndex' | 'coresHeapIndex' | 'memoryHeapIndex' | 'gpusHeapIndex'>(
  heap: IndexedHeap<Slot, SimInstance>,
  instance: SimInstance,
): void {
  if (heap.has(instance)) heap.update(instance);
  else heap.push(instance);
}

/** Free room of an instance: free sessions (servers), or the sum of free fractions per resource (agents). */
function freeScore(instance: SimInstance): number {
  if (instance.autoscale.pool.kind === 'server') {
    const autoscale = instance.autoscale.entry.autoscale as { maxSessionsPerServer: number };
    return autoscale.maxSessionsPerServer - instance.sessionCount;
  }
  let score = 0;
  if (instance.capacity.cores > 0) score += (instance.capacity.cores - instance.used.cores) / instance.capacity.cores;
  if (instance.capacity.memoryMb > 0)
    score += (instance.capacity.memoryMb - instance.used.memoryMb) / instance.capacity.memoryMb;
  if (instance.capacity.gpus > 0) score += (instance.capacity.gpus - instance.used.gpus) / instance.capacity.gpus;
  return score;
}

function computePoolOracles(options: {
  runtimes: AutoscaleRuntime[];
  pools: Map<string, PoolRuntime>;
  sessions: readonly TraceSession[];
  defaultPool: string;
  endMs: number;
}): OracleResult | undefined {
  const byPool = new Map<string, TraceSession[]>();
  for (const session of options.sessions) {
    if (session.startMs > options.endMs) break;
    const pool = session.pool ?? options.defaultPool;
    let list = byPool.get(pool);
    if (!list) {
      list = [];
      byPool.set(pool, list);
    }
    list.push(session);
  }
  const oracles: OracleResult[] = [];
  for (const [poolId, poolSessions] of byPool) {
    const pool = options.pools.get(poolId);
    const runtime = pool?.autoscale.find((candidate) => candidate.entry.autoscale.enabled) ?? pool?.autoscale[0];
    if (!pool || !runtime) continue;
    if (pool.kind === 'server') {
      const autoscale = runtime.entry.autoscale as { maxSessionsPerServer: number; maxUsersPerServer: number };
      oracles.push(
        computeOracle({
          sessions: poolSessions.map((session) => ({
            startMs: session.startMs,
            durationMs: session.durationMs,
            cores: 1,
            memoryMb: 0,
            gpus: 0,
          })),
          agent: { cores: Math.min(autoscale.maxSessionsPerServer, autoscale.maxUsersPerServer), memoryMb: 0, gpus: 0 },
          billing: runtime.model.billing,
          pricePerInstanceHour: runtime.pricePerInstanceHour,
        }),
      );
    } else {
      oracles.push(
        computeOracle({
          sessions: poolSessions,
          agent: instanceShape(runtime.entry.autoscale),
          billing: runtime.model.billing,
          pricePerInstanceHour: runtime.pricePerInstanceHour,
        }),
      );
    }
  }
  return oracles.length > 0 ? combineOracles(oracles) : undefined;
}
