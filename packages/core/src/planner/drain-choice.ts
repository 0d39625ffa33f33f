import type { Instance } from '../model/instance.js';
import { RESOURCE_KEYS, type Resources } from '../model/resources.js';

/** What the sessions of `instance` leave free, per resource, never below zero. */
export function freeRoomOf(instance: Instance): Resources {
  const free = { ...instance.capacity };
  for (const session of instance.sessions) {
    free.cores -= session.cores;
    free.memoryMb -= session.memoryMb;
    free.gpus -= session.gpus;
  }
  return { cores: Math.max(0, free.cores), memoryMb: Math.max(0, free.memoryMb), gpus: Math.max(0, free.gpus) };
}

/** Share of an instance its sessions use, summed over the resources it has (0 = empty). */
function usedShare(instance: Instance): number {
  const free = freeRoomOf(instance);
  let share = 0;
  for (const key of RESOURCE_KEYS) {
    if (instance.capacity[key] > 0) share += 1 - free[key] / instance.capacity[key];
  }
  return share;
}

const byShareThenId = (a: { share: number; instance: Instance }, b: { share: number; instance: Instance }) =>
  a.share - b.share || (a.instance.id < b.instance.id ? -1 : a.instance.id > b.instance.id ? 1 : 0);

/** Instances emptiest first (least used share, then id): the drain order, and the undrain order. */
export function emptiestFirst(instances: readonly Instance[]): Instance[] {
  return instances
    .map((instance) => ({ instance, share: usedShare(instance) }))
    .sort(byShareThenId)
    .map((entry) => entry.instance);
}

/**
 * Busy agents to drain, emptiest first: an agent is drained when the surplus still covers every
 * resource after its free room stops counting, and `stillHolds` (the standby slots) agrees. The
 * free room drained never exceeds the surplus.
 */
export function chooseDrains(options: {
  busy: readonly Instance[];
  surplus: Resources;
  stillHolds: (drained: ReadonlySet<string>) => boolean;
}): Instance[] {
  const surplus = { ...options.surplus };
  const drained = new Set<string>();
  const chosen: Instance[] = [];
  for (const instance of emptiestFirst(options.busy)) {
    const free = freeRoomOf(instance);
    if (!RESOURCE_KEYS.every((key) => surplus[key] - free[key] >= -1e-9)) continue;
    drained.add(instance.id);
    if (!options.stillHolds(drained)) {
      drained.delete(instance.id);
      continue;
    }
    for (const key of RESOURCE_KEYS) surplus[key] -= free[key];
    chosen.push(instance);
  }
  return chosen;
}

/**
 * Draining agents to take back, emptiest first (they have the most room), while `short(undrained)`
 * says the need is not yet covered: cheaper than booting a new agent.
 */
export function chooseUndrains(options: {
  draining: readonly Instance[];
  short: (undrained: readonly Instance[]) => boolean;
}): Instance[] {
  const chosen: Instance[] = [];
  for (const instance of emptiestFirst(options.draining)) {
    if (!options.short(chosen)) break;
    chosen.push(instance);
  }
  return chosen;
}
