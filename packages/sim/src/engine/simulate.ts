import { ConfigError, type HeadroomConfig } from '@headroom/core';
import { type CloudModel, DEFAULT_CLOUD_MODEL } from '../cloud-model.js';
import { createRandom } from '../random.js';
import { createResultsRecorder, type ResultsRecorder } from '../results/results-recorder.js';
import type { SimulationResult } from '../results/simulation-result.js';
import { stagedHitRate } from '../results/staged-hit-rate.js';
import type { SessionTrace, TraceSession } from '../trace/trace-session.js';
import { assignArrivalZones } from './arrival-zones.js';
import { type EventLoop, nextEventMs, processUntil } from './event-loop.js';
import { EventQueue } from './event-queue.js';
import { refreshActivity } from './fleet-events.js';
import { createFleetModel, type FleetModel } from './fleet-model.js';
import { sampleFleet } from './fleet-sample.js';
import { floorCloud, floorConfig } from './floor-run.js';
import { createImagePullTally, summariseImagePulls } from './image-pulls.js';
import { createPlannerEngine } from './planner-engine.js';
import { computePoolOracles } from './pool-oracles.js';
import { createDemandProfileSource } from './predictive-standby.js';
import { createQuietTickSchedule, mustTick, nextTickAt, noteTickEnd } from './quiet-tick-schedule.js';
import { createReconcilerEngine } from './reconciler-engine.js';
import type { SimulationContext } from './simulation-context.js';
import type { SimulationEngine } from './simulation-engine.js';
import { createStagings, nextStagingExpiryMs, replenishStaging } from './staging-broker.js';
import { summariseStaging, summariseStagingZones } from './staging-summary.js';

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
  /**
   * Deployment zones for sessions whose trace row names none, by relative weight
   * (`{ east: 3, west: 1 }`), drawn from a stream of `seed` in arrival order. Unset: such sessions
   * have no zone and take a staged session of their workspace in any zone.
   */
  arrivalZones?: Readonly<Record<string, number>>;
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
  /**
   * Count cost, waits, sessions, the oracle and the floor only from this instant (steady days;
   * sessions by arrival). Defaults to the start of the run.
   */
  measureFromMs?: number;
  /** End of the measurement window (exclusive). Defaults to the end of the run. */
  measureToMs?: number;
  /**
   * Also run the floor (same trace, placement and shapes with instant boots, no standby, no
   * downscale backoff) and report `floor`, `policyLoss` and `packingLoss`. Defaults to false; doubles the run time.
   */
  floor?: boolean;
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

/** The run's time frame: sessions sorted by start, start and end instants. */
interface RunFrame {
  sessions: TraceSession[];
  startMs: number;
  endMs: number;
  tickMs: number;
  timezone: string;
}

function resolveFrame(options: SimulateOptions, fleet: FleetModel): RunFrame {
  const trace = options.trace;
  const sessionsIn = Array.isArray(trace) ? (trace as readonly TraceSession[]) : (trace as SessionTrace).sessions;
  const traceTimezone = Array.isArray(trace) ? undefined : (trace as SessionTrace).timezone;
  const tickMs = (options.tickSeconds ?? 30) * 1000;
  const sorted = [...sessionsIn].sort((a, b) => a.startMs - b.startMs);
  const sessions = options.arrivalZones
    ? assignArrivalZones({ sessions: sorted, weights: options.arrivalZones, seed: options.seed ?? 1 })
    : sorted;
  const lastDepartureMs = sessions.reduce(
    (latest, session) => Math.max(latest, session.startMs + session.durationMs),
    0,
  );
  const firstArrivalMs = sessions[0]?.startMs ?? 0;
  const startMs = options.startMs ?? firstArrivalMs - (options.warmupSeconds ?? 900) * 1000;
  const longestBackoffMs = Math.max(
    0,
    ...fleet.runtimes.map((runtime) => runtime.entry.autoscale.downscaleBackoffSeconds * 1000),
  );
  const endMs = options.endMs ?? Math.max(startMs, lastDepartureMs) + longestBackoffMs + 2 * tickMs;
  return { sessions, startMs, endMs, tickMs, timezone: options.timezone ?? traceTimezone ?? 'UTC' };
}

/** Refuses what the simulator cannot run: an unknown default pool, autoscale ids reused across pools. */
function checkFleet(fleet: FleetModel, defaultPool: string | undefined): asserts defaultPool is string {
  if (defaultPool === undefined || !fleet.pools.has(defaultPool)) {
    throw new ConfigError({
      issues: [{ path: 'defaultPool', message: `pool "${defaultPool ?? ''}" is not in the config` }],
      source: 'simulate',
    });
  }
  // Recorder ids are autoscale ids; they must be unique across pools.
  const recorderIds = new Set(fleet.runtimes.map((runtime) => runtime.entry.autoscale.id));
  if (recorderIds.size !== fleet.runtimes.length) {
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
}

function createRecorder(options: SimulateOptions, fleet: FleetModel, frame: RunFrame): ResultsRecorder {
  return createResultsRecorder({
    startMs: frame.startMs,
    endMs: frame.endMs,
    timezone: frame.timezone,
    ...(options.maxTimelinePoints !== undefined ? { maxTimelinePoints: options.maxTimelinePoints } : {}),
    ...(options.label !== undefined ? { label: options.label } : {}),
    ...(options.measureFromMs !== undefined || options.measureToMs !== undefined
      ? {
          measure: {
            fromMs: options.measureFromMs ?? Number.NEGATIVE_INFINITY,
            toMs: options.measureToMs ?? Number.POSITIVE_INFINITY,
          },
        }
      : {}),
    autoscale: fleet.runtimes.map((runtime) => ({
      id: runtime.entry.autoscale.id,
      pricePerInstanceHour: runtime.pricePerInstanceHour,
      billing: runtime.model.billing,
      downscaleBackoffSeconds: runtime.entry.autoscale.downscaleBackoffSeconds,
    })),
  });
}

/** Runs every tick instant from start to end, skipping quiet ones, with the events in between. */
async function runTicks(options: {
  context: SimulationContext;
  loop: EventLoop;
  engine: SimulationEngine;
  frame: RunFrame;
}): Promise<number> {
  const { context, loop, engine, frame } = options;
  const { schedule } = context;
  let ticksEvaluated = 0;
  let tickAtMs = frame.startMs;
  while (tickAtMs <= frame.endMs) {
    processUntil(context, loop, tickAtMs);
    refreshActivity(context, tickAtMs);
    // Staged sessions expire on the clock, not on an event: a tick at or after the expiry acts.
    if (mustTick(schedule, tickAtMs) || tickAtMs >= nextStagingExpiryMs(context.stagings)) {
      ticksEvaluated++;
      const outcome = await engine.tick(tickAtMs);
      const staged = replenishStaging({ fleet: context.fleet, stagings: context.stagings, atMs: tickAtMs });
      noteTickEnd(schedule, {
        fleet: context.fleet,
        atMs: tickAtMs,
        nextState: outcome.nextState,
        acted: outcome.acted || staged,
      });
      sampleFleet(context.recorder, context.fleet, tickAtMs);
    }
    tickAtMs = nextTickAt(
      schedule,
      tickAtMs,
      Math.min(nextEventMs(context, loop), nextStagingExpiryMs(context.stagings)),
    );
  }
  processUntil(context, loop, frame.endMs);
  return ticksEvaluated;
}

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
  const config = options.config;
  const cloud = options.cloud ?? DEFAULT_CLOUD_MODEL;
  const seed = options.seed ?? 1;
  const warnings: string[] = [];
  const fleet = createFleetModel({ config, cloud });
  const defaultPool = options.defaultPool ?? config.pools[0]?.id;
  checkFleet(fleet, defaultPool);
  const frame = resolveFrame(options, fleet);
  const engineKind = options.engine ?? 'reconciler';
  const demandProfiles = createDemandProfileSource({
    fleet,
    sessions: frame.sessions,
    defaultPool,
    learnUntilMs: options.measureFromMs,
    tickMs: frame.tickMs,
    engine: engineKind,
    warnings,
  });
  const stagings = createStagings({ staging: config.staging, fleet, warnings, startMs: frame.startMs });
  const recorder = createRecorder(options, fleet, frame);
  const context: SimulationContext = {
    fleet,
    events: new EventQueue(),
    recorder,
    schedule: createQuietTickSchedule({
      startMs: frame.startMs,
      tickMs: frame.tickMs,
      // Predictive standby changes every hour whatever happens (and history samples every minute): tick every interval.
      skipQuietTicks: demandProfiles.configCount === 0 && (options.skipQuietTicks ?? true),
    }),
    stagings,
    zones: config.zones,
    stagingByZone: new Map(),
    placement: options.placement ?? 'spread',
    giveUpMs: (options.giveUpSeconds ?? 600) * 1000,
    random: createRandom(seed),
    defaultPool,
    warnings,
    hooks: {},
    eventCount: 0,
    imagePulls: createImagePullTally({
      ...(options.measureFromMs !== undefined ? { measureFromMs: options.measureFromMs } : {}),
      ...(options.measureToMs !== undefined ? { measureToMs: options.measureToMs } : {}),
    }),
  };
  const engine =
    engineKind === 'planner'
      ? createPlannerEngine({ context, config, demandProfiles })
      : createReconcilerEngine({ context, config, cloud, seed, startMs: frame.startMs, demandProfiles });

  const { sessions, startMs, endMs } = frame;
  let firstArrival = 0;
  while (firstArrival < sessions.length && sessions[firstArrival]!.startMs < startMs) firstArrival++;
  if (firstArrival > 0) warnings.push(`${firstArrival} session(s) before the start were left out`);
  const loop: EventLoop = {
    sessions,
    nextArrival: firstArrival,
    startMs,
    endMs,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  refreshActivity(context, startMs);
  sampleFleet(recorder, fleet, startMs);
  const ticksEvaluated = await runTicks({ context, loop, engine, frame });
  const ticks = Math.floor((endMs - startMs) / frame.tickMs) + 1;
  const waiting = fleet.totals.sessionsWaiting;
  if (waiting > 0) warnings.push(`${waiting} session(s) were still waiting at the end`);
  const oracle = computePoolOracles({
    pools: fleet.pools,
    sessions: sessions.slice(firstArrival),
    defaultPool,
    endMs,
  });
  const finished = recorder.finish({ atMs: endMs, ...(oracle ? { oracle } : {}) });
  const result = stagings.length > 0 ? withStaging(finished, context, endMs) : finished;
  if ([...fleet.pools.values()].some((pool) => pool.images.length > 0))
    result.imagePulls = summariseImagePulls(context, endMs);
  if (options.floor) await addFloor({ options, cloud, result, endMs });
  options.onProgress?.({ simulatedMs: endMs - startMs, fraction: 1 });
  return { result, stats: { events: context.eventCount, ticks, ticksEvaluated }, warnings };
}

/** The result with its staging summary: per staging config, per zone and the pooled hit rate. */
function withStaging(finished: SimulationResult, context: SimulationContext, endMs: number): SimulationResult {
  const staging = summariseStaging({ stagings: context.stagings, result: finished, endMs });
  return {
    ...finished,
    staging,
    stagedHitRate: stagedHitRate({ staging }) ?? 1,
    stagingZones: summariseStagingZones(context.stagingByZone),
  };
}

/** Runs the floor (instant boots, no standby, no backoff; same end) and adds it to `result`. */
async function addFloor(options: {
  options: SimulateOptions;
  cloud: CloudModel;
  result: SimulationResult;
  endMs: number;
}): Promise<void> {
  const { result } = options;
  const { onProgress: _progress, label: _label, ...rest } = options.options;
  const floorRun = await simulate({
    ...rest,
    config: floorConfig(options.options.config),
    cloud: floorCloud(options.cloud),
    endMs: options.endMs,
    floor: false,
  });
  const floor = floorRun.result;
  result.floor = {
    cost: floor.cost,
    instanceHours: floor.instanceHours,
    p95WaitSeconds: floor.sessions.waitSeconds.p95,
  };
  if (floor.cost > 0) result.policyLoss = result.cost / floor.cost;
  if (result.oracle && result.oracle.cost > 0) result.packingLoss = floor.cost / result.oracle.cost;
}
