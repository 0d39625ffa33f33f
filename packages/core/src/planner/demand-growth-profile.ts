import type { Resources } from '../model/index.js';

/** A session of recorded load: when it started, how long it lasted, what it reserved. */
export interface RecordedSession {
  startMs: number;
  durationMs: number;
  cores: number;
  memoryMb: number;
  gpus: number;
}

/** Demand growth by hour of the week (UTC; Monday 00:00 is slot 0), with an hour-of-day fallback. */
export interface DemandGrowthProfile {
  /** 168 slots; undefined where fewer than `confidenceFloor` observations were made. */
  hourOfWeek: (Resources | undefined)[];
  /** 24 slots, for hours of the week without enough observations. */
  hourOfDay: (Resources | undefined)[];
  horizonMs: number;
}

const weekSlot = (atMs: number): number => {
  const date = new Date(atMs);
  return ((date.getUTCDay() + 6) % 7) * 24 + date.getUTCHours();
};

/** Demand (summed resources of running sessions) at each of the sorted instants `atMs`. */
function demandAt(sessions: readonly RecordedSession[], atMs: readonly number[]): Resources[] {
  const events: { atMs: number; sign: number; session: RecordedSession }[] = [];
  for (const session of sessions) {
    events.push({ atMs: session.startMs, sign: 1, session });
    events.push({ atMs: session.startMs + session.durationMs, sign: -1, session });
  }
  events.sort((a, b) => a.atMs - b.atMs);
  const running = { cores: 0, memoryMb: 0, gpus: 0 };
  const result: Resources[] = [];
  let next = 0;
  for (const instant of atMs) {
    while (next < events.length && events[next]!.atMs <= instant) {
      const { sign, session } = events[next++]!;
      running.cores += sign * session.cores;
      running.memoryMb += sign * session.memoryMb;
      running.gpus += sign * session.gpus;
    }
    result.push({ ...running });
  }
  return result;
}

function quantileOf(values: number[], quantile: number): number {
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.max(0, Math.ceil(quantile * values.length) - 1))] ?? 0;
}

function summarize(observations: Resources[], quantile: number, floor: number): Resources | undefined {
  if (observations.length < floor) return undefined;
  return {
    cores: quantileOf(
      observations.map((value) => value.cores),
      quantile,
    ),
    memoryMb: quantileOf(
      observations.map((value) => value.memoryMb),
      quantile,
    ),
    gpus: quantileOf(
      observations.map((value) => value.gpus),
      quantile,
    ),
  };
}

/**
 * Learns, from recorded load, how much demand grows within `horizonMs` (the boot time: what a
 * standby must hold so that no one waits for a boot): every `stepMs` from `fromMs` to `toMs`, the
 * growth `max(0, demand(t + horizon) − demand(t))` per resource is an observation of t's hour of
 * the week (and hour of the day); each slot keeps the `quantile` of its observations once it has
 * `confidenceFloor` of them. Pure: no clock, no I/O.
 */
export function learnDemandGrowthProfile(options: {
  sessions: readonly RecordedSession[];
  fromMs: number;
  toMs: number;
  horizonMs: number;
  quantile: number;
  confidenceFloor: number;
  /** Defaults to 60 s. */
  stepMs?: number;
}): DemandGrowthProfile {
  const stepMs = Math.max(1000, options.stepMs ?? 60_000);
  const instants: number[] = [];
  for (let atMs = options.fromMs; atMs + options.horizonMs <= options.toMs; atMs += stepMs) instants.push(atMs);
  const now = demandAt(options.sessions, instants);
  const later = demandAt(
    options.sessions,
    instants.map((atMs) => atMs + options.horizonMs),
  );
  const byWeek: Resources[][] = Array.from({ length: 168 }, () => []);
  const byDay: Resources[][] = Array.from({ length: 24 }, () => []);
  instants.forEach((atMs, index) => {
    const growth = {
      cores: Math.max(0, later[index]!.cores - now[index]!.cores),
      memoryMb: Math.max(0, later[index]!.memoryMb - now[index]!.memoryMb),
      gpus: Math.max(0, later[index]!.gpus - now[index]!.gpus),
    };
    const slot = weekSlot(atMs);
    byWeek[slot]!.push(growth);
    byDay[slot % 24]!.push(growth);
  });
  return {
    hourOfWeek: byWeek.map((values) => summarize(values, options.quantile, options.confidenceFloor)),
    hourOfDay: byDay.map((values) => summarize(values, options.quantile, options.confidenceFloor)),
    horizonMs: options.horizonMs,
  };
}

/** The learnt growth for the hour containing `atMs` (hour of week, else hour of day), or undefined. */
export function predictedStandbyAt(profile: DemandGrowthProfile, atMs: number): Resources | undefined {
  const slot = weekSlot(atMs);
  return profile.hourOfWeek[slot] ?? profile.hourOfDay[slot % 24];
}
