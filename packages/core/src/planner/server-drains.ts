import type { Instance } from '../model/instance.js';

/** Free sessions of one server: `freeOf(instance)`, never below zero. */
type FreeSessionsOf = (instance: Instance) => number;

/** Most free sessions first, then by id: the drain order (emptiest) and the undrain order (roomiest). */
function roomiestFirst(instances: readonly Instance[], freeOf: FreeSessionsOf): Instance[] {
  return instances
    .map((instance) => ({ instance, free: freeOf(instance) }))
    .sort((a, b) => b.free - a.free || (a.instance.id < b.instance.id ? -1 : a.instance.id > b.instance.id ? 1 : 0))
    .map((entry) => entry.instance);
}

/**
 * Busy servers to drain, emptiest first: a server with free sessions is drained while the surplus
 * of free sessions still covers its free sessions, so the sessions drained never exceed the surplus.
 */
export function chooseServerDrains(options: {
  busy: readonly Instance[];
  surplusSessions: number;
  freeOf: FreeSessionsOf;
}): Instance[] {
  let surplus = options.surplusSessions;
  const chosen: Instance[] = [];
  for (const instance of roomiestFirst(options.busy, options.freeOf)) {
    const free = options.freeOf(instance);
    if (free <= 0 || surplus - free < 0) continue;
    surplus -= free;
    chosen.push(instance);
  }
  return chosen;
}

/**
 * Servers the planner drained to take back, roomiest first, while they cover a session deficit
 * (cheaper than a new server). An operator's drain (`drainedByOperator`) is never taken back.
 */
export function chooseServerUndrains(options: {
  draining: readonly Instance[];
  deficitSessions: number;
  freeOf: FreeSessionsOf;
}): Instance[] {
  let deficit = options.deficitSessions;
  const chosen: Instance[] = [];
  const candidates = options.draining.filter((instance) => !instance.drainedByOperator);
  for (const instance of roomiestFirst(candidates, options.freeOf)) {
    if (deficit <= 0) break;
    const free = options.freeOf(instance);
    if (free <= 0) continue;
    deficit -= free;
    chosen.push(instance);
  }
  return chosen;
}
