import type { StagingConfig } from '../config/config-schema.js';
import type { AutoscaleEntry } from '../config/config-views.js';
import type { FleetSnapshot, Instance, Session } from '../model/instance.js';
import type { Resources } from '../model/resources.js';
import { autoscaleKey } from './planner-state.js';

/** An unassigned staged session found in the snapshot. */
export interface StagedSessionEntry {
  session: Session;
  instance: Instance;
  zone: string;
  /** Creation instant in ms, undefined when the snapshot does not say. */
  createdMs: number | undefined;
}

/** An instance staged sessions may be placed on, with the room it has left. */
export interface StagingCandidate {
  instance: Instance;
  zone: string;
  free: Resources;
}

export interface StagingInventory {
  /** Unassigned staged sessions by owning staging config id. */
  byConfig: Map<string, StagedSessionEntry[]>;
  /** Unassigned staged sessions no configured staging config owns. */
  orphans: StagedSessionEntry[];
  /** Running (checked-in where required) instances by autoscale key, with their free room. */
  candidates: Map<string, StagingCandidate[]>;
}

/** The zone a staging config stages into: its own, else its autoscale config's. */
export function stagingZone(staging: StagingConfig, autoscaleZone: string): string {
  return staging.zone ?? autoscaleZone;
}

/** The zone of an instance: as reported, else its autoscale config's. */
export function instanceZone(instance: Instance, autoscaleZone: string | undefined): string {
  return instance.zone ?? autoscaleZone ?? 'default';
}

/** True for a staged session no user has been assigned yet. */
export const isUnusedStaged = (session: Session): boolean => session.staged && session.user === undefined;

const parseMs = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

/**
 * Sorts the snapshot's unassigned staged sessions by owner (the session's `stagingConfig`, else
 * the first staging config of the same pool, workspace and zone) and lists the instances staged
 * sessions may go on. Instances in `excluded` (destroyed by this plan) offer no room.
 */
export function takeStagingInventory(options: {
  snapshot: FleetSnapshot;
  staging: readonly StagingConfig[];
  entries: ReadonlyMap<string, AutoscaleEntry>;
  excluded: ReadonlySet<string>;
}): StagingInventory {
  const { snapshot, staging, entries, excluded } = options;
  const byId = new Map(staging.map((config) => [config.id, config]));
  const byConfig = new Map<string, StagedSessionEntry[]>(staging.map((config) => [config.id, []]));
  const orphans: StagedSessionEntry[] = [];
  const candidates = new Map<string, StagingCandidate[]>();
  for (const instance of snapshot.instances) {
    const entry = entries.get(autoscaleKey(instance.pool, instance.autoscale));
    const zone = instanceZone(instance, entry?.autoscale.zone);
    for (const session of instance.sessions) {
      if (!isUnusedStaged(session)) continue;
      const found: StagedSessionEntry = {
        session,
        instance,
        zone: session.zone ?? zone,
        createdMs: parseMs(session.createdAt),
      };
      const owner = ownerOf(found, byId, staging, entries);
      if (owner) byConfig.get(owner.id)!.push(found);
      else orphans.push(found);
    }
    if (entry?.kind !== 'docker-agent' || excluded.has(instance.id) || instance.state !== 'running') continue;
    if (entry.autoscale.requireCheckin && !instance.checkedIn) continue;
    const key = autoscaleKey(instance.pool, instance.autoscale);
    const list = candidates.get(key) ?? [];
    list.push({ instance, zone, free: freeRoom(instance) });
    candidates.set(key, list);
  }
  return { byConfig, orphans, candidates };
}

function ownerOf(
  found: StagedSessionEntry,
  byId: ReadonlyMap<string, StagingConfig>,
  staging: readonly StagingConfig[],
  entries: ReadonlyMap<string, AutoscaleEntry>,
): StagingConfig | undefined {
  const named = found.session.stagingConfig;
  if (named !== undefined) return byId.get(named);
  return staging.find((config) => {
    if (config.pool !== found.instance.pool || config.workspace !== found.session.workspace) return false;
    const autoscaleZone = entries.get(autoscaleKey(config.pool, config.autoscale))?.autoscale.zone ?? 'default';
    return stagingZone(config, autoscaleZone) === found.zone;
  });
}

/** What the sessions leave free of the instance's capacity, per resource (never below zero). */
function freeRoom(instance: Instance): Resources {
  const free = { ...instance.capacity };
  for (const session of instance.sessions) {
    free.cores -= session.cores;
    free.memoryMb -= session.memoryMb;
    free.gpus -= session.gpus;
  }
  return { cores: Math.max(0, free.cores), memoryMb: Math.max(0, free.memoryMb), gpus: Math.max(0, free.gpus) };
}

/** Key under which the planner's need accounting counts staged sessions: workspace per zone. */
export const stagedCountKey = (workspace: string, zone: string): string => `${zone}\u0000${workspace}`;
