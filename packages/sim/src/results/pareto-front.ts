import type { SweepPoint } from './simulation-result.js';

/**
 * Indices of the points no other point beats on both cost and p95 wait (ties on both keep the
 * first), ordered by ascending cost.
 */
export function paretoFront(points: readonly Pick<SweepPoint, 'cost' | 'p95WaitSeconds'>[]): number[] {
  const order = points
    .map((_, index) => index)
    .sort(
      (a, b) => points[a]!.cost - points[b]!.cost || points[a]!.p95WaitSeconds - points[b]!.p95WaitSeconds || a - b,
    );
  const front: number[] = [];
  let bestWait = Number.POSITIVE_INFINITY;
  for (const index of order) {
    const point = points[index]!;
    if (point.p95WaitSeconds < bestWait) {
      front.push(index);
      bestWait = point.p95WaitSeconds;
    }
  }
  return front;
}
