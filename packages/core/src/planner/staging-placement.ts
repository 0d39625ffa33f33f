import { RESOURCE_KEYS, type Resources } from '../model/resources.js';
import type { StagingCandidate } from './staging-inventory.js';

const epsilon = 1e-9;

const fitsIn = (free: Resources, size: Resources) => RESOURCE_KEYS.every((key) => free[key] >= size[key] - epsilon);

/** Share of its capacity a candidate has free, averaged over the resources it has. */
function freeShare(candidate: StagingCandidate): number {
  let total = 0;
  let counted = 0;
  for (const key of RESOURCE_KEYS) {
    const capacity = candidate.instance.capacity[key];
    if (capacity <= 0) continue;
    total += candidate.free[key] / capacity;
    counted++;
  }
  return counted === 0 ? 0 : total / counted;
}

/**
 * Places up to `count` sessions of `size` one at a time by the pool's placement rule (`spread`:
 * the candidate with the largest free share; `pack`: the smallest that fits; ties by instance id),
 * deducting the room each takes from its candidate. Returns sessions per instance id, in order of
 * first placement.
 */
export function placeStagedSessions(options: {
  candidates: StagingCandidate[];
  size: Resources;
  count: number;
  placement: 'spread' | 'pack';
}): Map<string, number> {
  const { candidates, size, count, placement } = options;
  const placed = new Map<string, number>();
  for (let index = 0; index < count; index++) {
    let best: StagingCandidate | undefined;
    let bestShare = 0;
    for (const candidate of candidates) {
      if (!fitsIn(candidate.free, size)) continue;
      const share = freeShare(candidate);
      const better =
        best === undefined ||
        (placement === 'spread' ? share > bestShare + epsilon : share < bestShare - epsilon) ||
        (Math.abs(share - bestShare) <= epsilon && candidate.instance.id < best.instance.id);
      if (better) {
        best = candidate;
        bestShare = share;
      }
    }
    if (!best) break;
    for (const key of RESOURCE_KEYS) best.free[key] -= size[key];
    placed.set(best.instance.id, (placed.get(best.instance.id) ?? 0) + 1);
  }
  return placed;
}

/** Takes room for `count` sessions of `size` already requested on an instance off its candidate. */
export function reserveRoom(candidate: StagingCandidate, size: Resources, count: number): void {
  for (const key of RESOURCE_KEYS) candidate.free[key] = Math.max(0, candidate.free[key] - size[key] * count);
}
