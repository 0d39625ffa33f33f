import { autoscaleKey, type Resources, type StagingConfig } from '@headroom/core';
import { type FleetModel, retally } from './fleet-model.js';
import { fits } from './placement.js';
import { epsilon, type PoolRuntime, type SimInstance, type StagingRuntime } from './simulation-types.js';
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

/** Hands an arriving session a compatible staged session (same workspace, at least its size), if one exists. */
export function takeStaged(options: {
  fleet: FleetModel;
  stagings: StagingRuntime[];
  pool: PoolRuntime;
  request: Resources & { workspace?: string };
  atMs: number;
}): SimInstance | undefined {
  const { fleet, pool, request, atMs } = options;
  if (request.workspace === undefined || options.stagings.length === 0) return undefined;
  const wanted = options.stagings.find(
    (staging) => staging.pool === pool && staging.runtime.active && staging.config.workspace === request.workspace,
  );
  for (const instance of pool.instances) {
    if (instance.staged.length === 0 || !instance.tally.accepting) continue;
    const index = instance.staged.findIndex(
      (entry) =>
        entry.session.workspace === request.workspace &&
        entry.session.cores >= request.cores - epsilon &&
        entry.session.memoryMb >= request.memoryMb - epsilon &&
        entry.session.gpus >= request.gpus - epsilon,
    );
    if (index < 0) continue;
    const [entry] = instance.staged.splice(index, 1);
    settleHeld(entry!.staging, atMs);
    entry!.staging.count--;
    entry!.staging.stats.hits++;
    adjustStaged(fleet, instance, entry!.session, -1);
    return instance;
  }
  if (wanted) wanted.stats.misses++;
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
