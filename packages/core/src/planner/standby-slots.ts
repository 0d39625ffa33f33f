import { formatResources, type Resources } from '../model/resources.js';
import { fitsShape } from './queued-requests.js';

/** A standby slot of the config: room for `count` sessions of this size, kept without a boot. */
export interface StandbySlot extends Resources {
  count: number;
}

/** Free room of one instance, as slot placement sees it. */
export interface FreeRoom {
  id: string;
  free: Resources;
}

/** Where the standby slots fit, counted per instance by first fit. */
export interface StandbySlotFit {
  /** Slot sessions in all (the sum of `count` over slots that fit the agent shape). */
  sessions: number;
  onRunning: number;
  onPending: number;
  /** Slot sessions that need a new agent. */
  onNew: number;
  /** New agents the queued requests and the slots need together (first fit over new agents of the shape). */
  newAgents: number;
  /** Slots larger than the agent shape: never satisfiable. */
  unfit: StandbySlot[];
}

const take = (room: Resources, size: Resources): boolean => {
  if (!fitsShape(size, room)) return false;
  room.cores -= size.cores;
  room.memoryMb -= size.memoryMb;
  room.gpus -= size.gpus;
  return true;
};

/**
 * Places the fitting queued requests (on pending, then new agents: they found no room on running
 * ones), then `count` sessions per slot in config order, each on the first instance with room:
 * running instances (by id), pending instances, then new agents of `agent`'s shape. Pure and
 * deterministic; the inputs are not changed.
 */
export function fitStandbySlots(options: {
  slots: readonly StandbySlot[];
  running: readonly FreeRoom[];
  pending: readonly FreeRoom[];
  queued: readonly Resources[];
  agent: Resources;
}): StandbySlotFit {
  const byId = (a: FreeRoom, b: FreeRoom) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const running = [...options.running].sort(byId).map((room) => ({ ...room.free }));
  const pending = [...options.pending].sort(byId).map((room) => ({ ...room.free }));
  const fresh: Resources[] = [];
  const placeOnNew = (size: Resources) => {
    for (const room of fresh) if (take(room, size)) return;
    const room = { ...options.agent };
    take(room, size);
    fresh.push(room);
  };
  for (const request of options.queued) {
    if (!fitsShape(request, options.agent)) continue;
    if (!pending.some((room) => take(room, request))) placeOnNew(request);
  }
  const fit: StandbySlotFit = { sessions: 0, onRunning: 0, onPending: 0, onNew: 0, newAgents: 0, unfit: [] };
  for (const slot of options.slots) {
    if (!fitsShape(slot, options.agent)) {
      fit.unfit.push(slot);
      continue;
    }
    placeSlotSessions({ slot, running, pending, fresh, agent: options.agent, fit });
  }
  fit.newAgents = fresh.length;
  return fit;
}

/**
 * First fit of one slot's `count` sessions over running, pending, then new rooms. Rooms only
 * shrink, so a room that cannot take the slot's size now never can: one cursor per list walks
 * each list once per slot (O(rooms + count), not O(rooms × count)).
 */
function placeSlotSessions(options: {
  slot: StandbySlot;
  running: Resources[];
  pending: Resources[];
  fresh: Resources[];
  agent: Resources;
  fit: StandbySlotFit;
}): void {
  const { slot, running, pending, fresh, fit } = options;
  const cursors = { running: 0, pending: 0, fresh: 0 };
  const takeFirst = (rooms: Resources[], list: keyof typeof cursors): boolean => {
    while (cursors[list] < rooms.length) {
      if (take(rooms[cursors[list]]!, slot)) return true;
      cursors[list] += 1;
    }
    return false;
  };
  for (let index = 0; index < slot.count; index++) {
    fit.sessions += 1;
    if (takeFirst(running, 'running')) fit.onRunning += 1;
    else if (takeFirst(pending, 'pending')) fit.onPending += 1;
    else {
      fit.onNew += 1;
      if (!takeFirst(fresh, 'fresh')) {
        const room = { ...options.agent };
        take(room, slot);
        fresh.push(room);
      }
    }
  }
}

/** `2 × (8 cores, 16384 MiB, 0 GPUs), 1 × (…)`. */
export function formatSlots(slots: readonly StandbySlot[]): string {
  return slots.map((slot) => `${slot.count} × (${formatResources(slot)})`).join(', ');
}

/** The reason line of a slot fit: where the slot sessions go. */
export function describeSlotFit(slots: readonly StandbySlot[], fit: StandbySlotFit): string {
  return `standby slots ${formatSlots(slots)}: ${fit.onRunning} of ${fit.sessions} fit on running agents, ${fit.onPending} on pending, ${fit.onNew} need new agents`;
}
