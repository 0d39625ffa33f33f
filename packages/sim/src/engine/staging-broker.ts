import { autoscaleKey, type Resources, type StagingConfig, type ZoneConfig, zoneSearchOrder } from '@headroom/core';
import { type FleetModel, retally } from './fleet-model.js';
import { fits } from './placement.js';
import {
  epsilon,
  type PoolRuntime,
  type SimInstance,
  type StagingRuntime,
  type ZoneStagingStats,
} from './simulation-types.js';
import { emptyStagingStats, settleHeld } from './staging-stats.js';

/**
 * The staging configs the simulator runs (those of docker-agent autoscale configs); the others
 * are reported in `warnings`.
 */
export function createStagings(options: {
  staging: readonly StagingConfig[];
  fleet: FleetModel;
  warnings: string[];
  startMs: number;
}): StagingRuntime[] {
  const stagings: StagingRuntime[] = [];
  for (const staging of options.staging) {
    const runtime = options.fleet.runtimeByKey.get(autoscaleKey(staging.pool, staging.autoscale));
    if (runtime?.pool.kind !== 'docker-agent') {
      options.warnings.push(
        `staging ${staging.id}: ${staging.pool}/${staging.autoscale} is not a docker-agent autoscale config; not simulated`,
      );
      continue;
    }
    stagings.push({
      config: staging,
      pool: runtime.pool,
      runtime,
      zone: staging.zone ?? runtime.entry.autoscale.zone,
      count: 0,
      stats: emptyStagingStats(options.startMs),
    });
  }
  return stagings;
}

/** Adds (`sign` 1) or removes (-1) a staged session's resources on its instance and in the totals. */
function adjustStaged(fleet: FleetModel, instance: SimInstance, resources: Resources, sign: 1 | -1): void {
  const { totals } = fleet;
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
}

/** The roomiest instance of the staging's autoscale config with room for one staged session. */
function roomiestFor(staging: StagingRuntime): SimInstance | undefined {
  const size = staging.config.session;
  let best: SimInstance | undefined;
  for (const instance of staging.pool.instances) {
    if (instance.autoscale !== staging.runtime || !fits(instance, size)) continue;
    if (best === undefined || instance.score > best.score) best = instance;
  }
  return best;
}

/**
 * The staging broker: tops every active staging config up to `desiredSessions` on agents of its
 * autoscale config that have room. Returns true when it staged any.
 */
export function replenishStaging(options: { fleet: FleetModel; stagings: StagingRuntime[]; atMs: number }): boolean {
  const { fleet, stagings, atMs } = options;
  let staged = false;
  for (const staging of stagings) {
    settleHeld(staging, atMs);
    if (dropStaged({ fleet, staging, atMs })) staged = true;
    if (!staging.runtime.active) continue;
    const size = staging.config.session;
    while (staging.count < staging.config.desiredSessions) {
      const best = roomiestFor(staging);
      if (!best) break;
      staging.count++;
      staging.stats.staged++;
      best.staged.push({
        session: {
          id: `${staging.config.id}.${atMs}.${staging.count}`,
          workspace: staging.config.workspace,
          ...size,
          staged: true,
        },
        staging,
        createdAtMs: atMs,
      });
      adjustStaged(fleet, best, size, 1);
      retally(fleet, best);
      staged = true;
    }
  }
  return staged;
}

type StagedEntry = SimInstance['staged'][number];

/** Whether a staged session can serve the request: same workspace and at least its size. */
const serves = (entry: StagedEntry, request: Resources & { workspace?: string }) =>
  entry.session.workspace === request.workspace &&
  entry.session.cores >= request.cores - epsilon &&
  entry.session.memoryMb >= request.memoryMb - epsilon &&
  entry.session.gpus >= request.gpus - epsilon;

/**
 * The staged session a request takes. Without a request zone: the first compatible one of the
 * pool in any zone. With one: the zones in `zoneSearchOrder` (the planner's
 * `matchStagedSession` order), and within a zone the oldest session first.
 */
function findStaged(options: {
  pool: PoolRuntime;
  request: Resources & { workspace?: string; zone?: string };
  zones: readonly ZoneConfig[];
}): { instance: SimInstance; index: number } | undefined {
  const { pool, request } = options;
  const order = request.zone === undefined ? undefined : zoneSearchOrder(request.zone, options.zones);
  let best: { instance: SimInstance; index: number; rank: number; createdAtMs: number } | undefined;
  for (const instance of pool.instances) {
    if (instance.staged.length === 0 || !instance.tally.accepting) continue;
    for (const [index, entry] of instance.staged.entries()) {
      if (!serves(entry, request)) continue;
      if (order === undefined) return { instance, index };
      const rank = order.indexOf(entry.staging.zone);
      if (rank < 0) continue;
      if (best === undefined || rank < best.rank || (rank === best.rank && entry.createdAtMs < best.createdAtMs))
        best = { instance, index, rank, createdAtMs: entry.createdAtMs };
    }
  }
  return best;
}

/** The staging config a miss counts against: the request's zone's, else the first of the workspace. */
function wantedStaging(
  stagings: readonly StagingRuntime[],
  pool: PoolRuntime,
  request: { workspace?: string; zone?: string },
): StagingRuntime | undefined {
  const candidates = stagings.filter(
    (staging) => staging.pool === pool && staging.runtime.active && staging.config.workspace === request.workspace,
  );
  return candidates.find((staging) => staging.zone === request.zone) ?? candidates[0];
}

function zoneStats(byZone: Map<string, ZoneStagingStats>, zone: string): ZoneStagingStats {
  let stats = byZone.get(zone);
  if (!stats) {
    stats = { hits: 0, alternateZoneHits: 0, misses: 0 };
    byZone.set(zone, stats);
  }
  return stats;
}

/**
 * Hands an arriving session a compatible staged session (same workspace, at least its size),
 * searching alternate zones as `findStaged` does, if one exists. Counts the hit or miss per
 * staging config and per requesting zone (the staging config's zone for a request without one).
 */
export function takeStaged(options: {
  fleet: FleetModel;
  stagings: StagingRuntime[];
  zones: readonly ZoneConfig[];
  byZone: Map<string, ZoneStagingStats>;
  pool: PoolRuntime;
  request: Resources & { workspace?: string; zone?: string };
  atMs: number;
}): SimInstance | undefined {
  const { fleet, pool, request, atMs } = options;
  if (request.workspace === undefined || options.stagings.length === 0) return undefined;
  const found = findStaged({ pool, request, zones: options.zones });
  if (found) {
    const [entry] = found.instance.staged.splice(found.index, 1);
    const { staging } = entry!;
    settleHeld(staging, atMs);
    staging.count--;
    staging.stats.hits++;
    const perZone = zoneStats(options.byZone, request.zone ?? staging.zone);
    perZone.hits++;
    if (request.zone !== undefined && request.zone !== staging.zone) {
      staging.stats.alternateZoneHits++;
      perZone.alternateZoneHits++;
    }
    adjustStaged(fleet, found.instance, entry!.session, -1);
    return found.instance;
  }
  const wanted = wantedStaging(options.stagings, pool, request);
  if (wanted) {
    wanted.stats.misses++;
    zoneStats(options.byZone, request.zone ?? wanted.zone).misses++;
  }
  return undefined;
}

/**
 * Destroys the staging's expired sessions (unassigned for `expirationHours`, when above 0) and,
 * when its autoscale config is inactive, all of them. Returns true when it dropped any.
 */
function dropStaged(options: { fleet: FleetModel; staging: StagingRuntime; atMs: number }): boolean {
  const { fleet, staging, atMs } = options;
  if (staging.count === 0) return false;
  const expiryMs = staging.config.expirationHours * 3_600_000;
  const inactive = !staging.runtime.active;
  let dropped = false;
  for (const instance of staging.pool.instances) {
    if (instance.staged.length === 0) continue;
    const before = instance.staged.length;
    instance.staged = instance.staged.filter((entry) => {
      if (entry.staging !== staging) return true;
      const expired = expiryMs > 0 && atMs - entry.createdAtMs >= expiryMs;
      if (!inactive && !expired) return true;
      staging.count--;
      if (inactive) staging.stats.removed++;
      else staging.stats.expired++;
      return false;
    });
    if (instance.staged.length === before) continue;
    dropped = true;
    // adjustStaged reads the remaining list; subtract each dropped session's size.
    for (let index = instance.staged.length; index < before; index++)
      adjustStaged(fleet, instance, staging.config.session, -1);
    retally(fleet, instance);
  }
  return dropped;
}

/** The earliest instant a staged session expires (infinity when none will), so quiet-tick skipping wakes for it. */
export function nextStagingExpiryMs(stagings: readonly StagingRuntime[]): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const staging of stagings) {
    const expiryMs = staging.config.expirationHours * 3_600_000;
    if (staging.count === 0 || expiryMs <= 0) continue;
    for (const instance of staging.pool.instances) {
      for (const entry of instance.staged) {
        if (entry.staging === staging) earliest = Math.min(earliest, entry.createdAtMs + expiryMs);
      }
    }
  }
  return earliest;
}
