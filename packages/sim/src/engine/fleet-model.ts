import {
  autoscaleKey,
  checkinTimeoutSeconds,
  type HeadroomConfig,
  type Instance,
  type InstanceState,
  listAutoscaleEntries,
  type Resources,
  type Session,
} from '@headroom/core';
import { type CloudModel, pricePerInstanceHour, providerCloudModel } from '../cloud-model.js';
import { PlacementIndex } from './placement-index.js';
import { poolImages } from './pool-images.js';
import type { AutoscaleRuntime, PoolRuntime, SimInstance } from './simulation-types.js';
import { settleHeld } from './staging-stats.js';
import { emptyWasteCounts, updateWasteCounts } from './waste-tally.js';

/** Fleet-wide sums kept current by {@link retally} and the session moves (what a fleet sample reports). */
export interface FleetTotals {
  states: Record<InstanceState, number>;
  /** Capacity of accepting instances. */
  capacity: Resources;
  used: Resources;
  queued: Resources;
  sessionsRunning: number;
  sessionsWaiting: number;
  idleInstances: number;
}

/** The simulated fleet: pools, autoscale configs, live instances, the planner's view and the totals. */
export interface FleetModel {
  pools: Map<string, PoolRuntime>;
  runtimes: AutoscaleRuntime[];
  runtimeByKey: Map<string, AutoscaleRuntime>;
  instancesById: Map<string, SimInstance>;
  /** The planner's view of the fleet, in creation order, kept current by {@link retally}. */
  snapshotInstances: Instance[];
  totals: FleetTotals;
  /** Creation order of the next instance. */
  nextOrder: number;
}

const noSessions: Session[] = [];

const zero = (): Resources => ({ cores: 0, memoryMb: 0, gpus: 0 });

function createPool(config: HeadroomConfig, pool: HeadroomConfig['pools'][number]): PoolRuntime {
  const images = poolImages({ config, pool });
  return {
    id: pool.id,
    kind: pool.kind,
    autoscale: [],
    instances: [],
    queue: [],
    queueMinimum: undefined,
    placement: new PlacementIndex(),
    images,
    imagesSizeMb: images.reduce((sum, image) => sum + image.sizeMb, 0),
  };
}

/** An empty fleet with one runtime per pool and per autoscale config of `config`. */
export function createFleetModel(options: { config: HeadroomConfig; cloud: CloudModel }): FleetModel {
  const { config, cloud } = options;
  const pools = new Map<string, PoolRuntime>();
  for (const pool of config.pools) pools.set(pool.id, createPool(config, pool));
  const runtimes: AutoscaleRuntime[] = [];
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
      awaitingCheckin: [],
      waste: emptyWasteCounts(),
    };
    pool.autoscale.push(runtime);
    runtimes.push(runtime);
  }
  return {
    pools,
    runtimes,
    runtimeByKey: new Map(runtimes.map((runtime) => [runtime.key, runtime])),
    instancesById: new Map(),
    snapshotInstances: [],
    totals: {
      states: { requested: 0, creating: 0, starting: 0, running: 0, draining: 0, destroying: 0, failed: 0 },
      capacity: zero(),
      used: zero(),
      queued: zero(),
      sessionsRunning: 0,
      sessionsWaiting: 0,
      idleInstances: 0,
    },
    nextOrder: 0,
  };
}

/** Free room of an instance: free sessions (servers), or the sum of free fractions per resource (agents). */
export function freeScore(instance: SimInstance): number {
  if (instance.autoscale.pool.kind === 'server') {
    const autoscale = instance.autoscale.entry.autoscale as { maxSessionsPerServer: number };
    return autoscale.maxSessionsPerServer - instance.sessionCount;
  }
  const { capacity, used } = instance;
  let score = 0;
  if (capacity.cores > 0) score += (capacity.cores - used.cores) / capacity.cores;
  if (capacity.memoryMb > 0) score += (capacity.memoryMb - used.memoryMb) / capacity.memoryMb;
  if (capacity.gpus > 0) score += (capacity.gpus - used.gpus) / capacity.gpus;
  return score;
}

function updatePlacementIndexes(pool: PoolRuntime, instance: SimInstance, accepting: boolean): void {
  if (accepting) {
    instance.score = freeScore(instance);
    pool.placement.upsert(instance);
  } else {
    pool.placement.remove(instance);
  }
}

/** Brings the planner's view of an instance up to date: state, check-in and sessions. */
function updateSnapshot(instance: SimInstance): void {
  const snapshot = instance.snapshot;
  snapshot.state = instance.state;
  snapshot.checkedIn = instance.checkedIn;
  if (instance.autoscale.pool.kind === 'server') {
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
}

/**
 * Re-counts one instance after any change to it: the fleet totals (state, accepting capacity,
 * idle), its pool's placement indexes and its planner view.
 */
export function retally(fleet: FleetModel, instance: SimInstance): void {
  const { totals } = fleet;
  const accepting =
    !instance.destroyed &&
    instance.state === 'running' &&
    (instance.checkedIn || !instance.autoscale.requireCheckin) &&
    instance.imagesReady &&
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
  before.accepting = accepting;
  before.idle = idle;
  before.state = state;
  updatePlacementIndexes(instance.autoscale.pool, instance, accepting);
  updateWasteCounts(instance, accepting);
  updateSnapshot(instance);
}

/** Adds an instance the cloud accepted at `atMs` to the fleet, `starting`. */
export function addInstance(
  fleet: FleetModel,
  options: { runtime: AutoscaleRuntime; id: string; shape: Resources; atMs: number },
): SimInstance {
  const { runtime, id, shape, atMs } = options;
  runtime.created++;
  const aggregate: Session = { id: `${id}.sessions`, cores: 0, memoryMb: 0, gpus: 0, staged: false };
  const instance: SimInstance = {
    id,
    autoscale: runtime,
    state: 'starting',
    checkedIn: false,
    createdAtMs: atMs,
    capacity: { ...shape },
    used: zero(),
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
    wasteTally: { category: 'other', free: zero(), used: zero() },
    order: fleet.nextOrder++,
    score: 0,
    placementSlot: -1,
    aggregateList: [aggregate],
    staged: [],
    stagedUsed: zero(),
    imagesReady: runtime.pool.images.length === 0,
  };
  fleet.instancesById.set(id, instance);
  runtime.pool.instances.push(instance);
  if (runtime.checkinTimeoutMs !== undefined) runtime.awaitingCheckin.push(instance);
  fleet.snapshotInstances.push(instance.snapshot);
  retally(fleet, instance);
  return instance;
}

/** The creation time of the oldest live instance of `runtime` that has not checked in, or +∞. */
export function oldestAwaitingCheckinMs(runtime: AutoscaleRuntime): number {
  const list = runtime.awaitingCheckin;
  let first = 0;
  while (first < list.length && (list[first]!.checkedIn || list[first]!.destroyed)) first++;
  if (first > 0) list.splice(0, first);
  return list.length > 0 ? list[0]!.createdAtMs : Number.POSITIVE_INFINITY;
}

/** Takes an instance out of the fleet (it stops counting at once), releasing its staged sessions. */
export function removeInstance(fleet: FleetModel, instance: SimInstance, atMs: number): void {
  const { totals } = fleet;
  for (const entry of instance.staged) {
    settleHeld(entry.staging, atMs);
    entry.staging.count--;
    totals.used.cores -= entry.session.cores;
    totals.used.memoryMb -= entry.session.memoryMb;
    totals.used.gpus -= entry.session.gpus;
  }
  instance.staged = [];
  instance.destroyed = true;
  retally(fleet, instance);
  fleet.instancesById.delete(instance.id);
  const list = instance.autoscale.pool.instances;
  list.splice(list.indexOf(instance), 1);
  fleet.snapshotInstances.splice(fleet.snapshotInstances.indexOf(instance.snapshot), 1);
}
