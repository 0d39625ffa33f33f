import type { AutoscaleEntry } from '../config/config-views.js';
import type { QueuedRequest } from '../model/instance.js';
import { formatResources, type Resources } from '../model/resources.js';
import { autoscaleKey } from './planner-state.js';

/** True when a session of size `request` fits on an empty instance of `shape` (every resource). */
export function fitsShape(request: Resources, shape: Resources): boolean {
  return (
    request.cores <= shape.cores + 1e-9 &&
    request.memoryMb <= shape.memoryMb + 1e-9 &&
    request.gpus <= shape.gpus + 1e-9
  );
}

/** The queued requests each autoscale config counts: those it can serve, and those no config of the pool can. */
export interface QueuedAssignment {
  fitting: QueuedRequest[];
  /** Requests larger than every aggressive config's agent shape in the pool (reported, never created for). */
  unfit: QueuedRequest[];
}

/**
 * Hands each queued request of a pool to the first enabled, active config with aggressive scaling
 * (config order) that can serve it: any server config, or a docker-agent config whose agent shape
 * fits the request. A request that fits no such config goes to the first one as `unfit`.
 */
export function assignQueuedRequests(options: {
  queued: readonly QueuedRequest[];
  /** Per pool, the enabled, active, aggressive configs in config order. */
  ownersByPool: ReadonlyMap<string, AutoscaleEntry[]>;
}): Map<string, QueuedAssignment> {
  const assignments = new Map<string, QueuedAssignment>();
  const slot = (entry: AutoscaleEntry) => {
    const key = autoscaleKey(entry.pool.id, entry.autoscale.id);
    let assignment = assignments.get(key);
    if (!assignment) {
      assignment = { fitting: [], unfit: [] };
      assignments.set(key, assignment);
    }
    return assignment;
  };
  for (const request of options.queued) {
    const owners = options.ownersByPool.get(request.pool);
    if (!owners || owners.length === 0) continue;
    const owner = owners.find((entry) => entry.kind === 'server' || fitsShape(request, entry.autoscale.agent));
    if (owner) slot(owner).fitting.push(request);
    else slot(owners[0]!).unfit.push(request);
  }
  return assignments;
}

/** One warning per distinct request size that fits no agent: the size, how many, since when, and the shape. */
export function describeUnfitRequests(unfit: readonly QueuedRequest[], shape: Resources): string[] {
  const bySize = new Map<string, { request: QueuedRequest; count: number; oldest: string }>();
  for (const request of unfit) {
    const size = formatResources(request);
    const group = bySize.get(size);
    if (!group) bySize.set(size, { request, count: 1, oldest: request.since });
    else {
      group.count += 1;
      if (request.since < group.oldest) group.oldest = request.since;
    }
  }
  return [...bySize.entries()].map(
    ([size, group]) =>
      `unsatisfiable request: ${group.count} queued request(s) of ${size} (oldest since ${group.oldest}${group.request.workspace ? `, workspace ${group.request.workspace}` : ''}) fit no agent of this config (agent ${formatResources(shape)}); not scaling for them`,
  );
}
