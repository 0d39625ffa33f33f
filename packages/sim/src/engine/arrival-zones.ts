import { ConfigError } from '@headroom/core';
import { createRandom } from '../random.js';
import type { TraceSession } from '../trace/trace-session.js';

/** Mixed into the run's seed so zone draws do not shift the cloud's draws (boots, failures). */
const ZONE_STREAM = 0x5a6f6e65;

/**
 * Gives every session whose trace names no zone one drawn from `weights` (zone → relative
 * weight), by a random stream of `seed` in arrival order: the same seed, trace and weights
 * always give the same zones. Sessions that name a zone keep it. Returns copies; the input is
 * not modified.
 * @throws ConfigError (path `arrivalZones`) when a weight is not a finite number ≥ 0 or all are 0
 */
export function assignArrivalZones(options: {
  sessions: readonly TraceSession[];
  weights: Readonly<Record<string, number>>;
  seed: number;
}): TraceSession[] {
  const entries = Object.entries(options.weights);
  for (const [zone, weight] of entries) {
    if (!Number.isFinite(weight) || weight < 0)
      throw new ConfigError({ issues: [{ path: `arrivalZones.${zone}`, message: 'must be a number ≥ 0' }] });
  }
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  if (total <= 0)
    throw new ConfigError({ issues: [{ path: 'arrivalZones', message: 'needs a zone with a weight above 0' }] });
  const positive = entries.filter(([, weight]) => weight > 0);
  const random = createRandom((options.seed ^ ZONE_STREAM) >>> 0);
  return options.sessions.map((session) => {
    if (session.zone !== undefined) return session;
    return { ...session, zone: pickByWeight(positive, random.next() * total) };
  });
}

/** The zone whose cumulative weight first exceeds `draw` (the last one on rounding). */
function pickByWeight(entries: readonly [string, number][], draw: number): string {
  let remaining = draw;
  for (const [zone, weight] of entries) {
    remaining -= weight;
    if (remaining < 0) return zone;
  }
  return entries.at(-1)![0];
}
