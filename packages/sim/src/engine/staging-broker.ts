import { autoscaleKey, type Resources, type StagingConfig } from '@headroom/core';
import { type FleetModel, retally } from './fleet-model.js';
import { fits } from './placement.js';
import { epsilon, type PoolRuntime, type SimInstance, type StagingRuntime } from './simulation-types.js';

/**
 * The staging configs the simulator runs (those of docker-agent autoscale configs); the others
 * are reported in `warnings`.
 */
export function createStagings(options: {
  staging: readonly StagingConfig[];
  fleet: FleetModel;
  warnings: string[];
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
    stagings.push({ config: staging, pool: runtime.pool, runtime, count: 0 });
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
    if (!staging.runtime.active) continue;
    const size = staging.config.session;
    while (staging.count < staging.config.desiredSessions) {
      const best = roomiestFor(staging);
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
}): SimInstance | undefined {
  const { fleet, pool, request } = options;
  if (request.workspace === undefined || options.stagings.length === 0) return undefined;
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
    entry!.staging.count--;
    adjustStaged(fleet, instance, entry!.session, -1);
    return instance;
  }
  return undefined;
}
