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

/** Demand of a pool at one instant: the resources its sessions (and queued requests) reserve. */
export interface DemandSample extends Resources {
  atMs: number;
}

/** Slots every instant's growth into its hour of the week and hour of the day, and keeps each slot's quantile. */
function profileOfGrowth(options: {
  instants: readonly number[];
  now: readonly Resources[];
  later: readonly Resources[];
  horizonMs: number;
  quantile: number;
  confidenceFloor: number;
}): DemandGrowthProfile {
  const byWeek: Resources[][] = Array.from({ length: 168 }, () => []);
  const byDay: Resources[][] = Array.from({ length: 24 }, () => []);
  options.instants.forEach((atMs, index) => {
    const now = options.now[index]!;
    const later = options.later[index]!;
    const growth = {
      cores: Math.max(0, later.cores - now.cores),
      memoryMb: Math.max(0, later.memoryMb - now.memoryMb),
      gpus: Math.max(0, later.gpus - now.gpus),
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
  return profileOfGrowth({
    instants,
    now: demandAt(options.sessions, instants),
    later: demandAt(
      options.sessions,
      instants.map((atMs) => atMs + options.horizonMs),
    ),
    horizonMs: options.horizonMs,
    quantile: options.quantile,
    confidenceFloor: options.confidenceFloor,
  });
}

/**
 * The same profile learnt from sampled demand (what a running service records each tick): every
 * sample whose instant plus `horizonMs` lies within the samples is an observation, its growth
 * measured against the last sample at or before `atMs + horizonMs`. Samples need not be evenly
 * spaced (a gap while the service was down simply has no observations); they are sorted here.
 */
export function learnDemandGrowthProfileFromSamples(options: {
  samples: readonly DemandSample[];
  horizonMs: number;
  quantile: number;
  confidenceFloor: number;
  /**
   * A sample whose next one is further than this away is not compared across the gap (the
   * service was down; the load in between is unknown). Default: 10 minutes.
   */
  maxGapMs?: number;
}): DemandGrowthProfile {
  const samples = [...options.samples].sort((a, b) => a.atMs - b.atMs);
  const maxGapMs = options.maxGapMs ?? 600_000;
  const instants: number[] = [];
  const now: Resources[] = [];
  const later: Resources[] = [];
  let ahead = 0;
  for (let index = 0; index < samples.length; index++) {
    const sample = samples[index]!;
    const targetMs = sample.atMs + options.horizonMs;
    if (ahead < index) ahead = index;
    while (ahead + 1 < samples.length && samples[ahead + 1]!.atMs <= targetMs) ahead++;
    // The horizon must lie within the samples, with no gap on the way there.
    if (ahead + 1 >= samples.length && samples[ahead]!.atMs < targetMs) break;
    if (gapWithin(samples, index, ahead + 1, maxGapMs)) continue;
    instants.push(sample.atMs);
    now.push(sample);
    later.push(samples[ahead]!);
  }
  return profileOfGrowth({
    instants,
    now,
    later,
    horizonMs: options.horizonMs,
    quantile: options.quantile,
    confidenceFloor: options.confidenceFloor,
  });
}

/** Whether two consecutive samples between `from` and `to` (exclusive end, clamped) lie more than `maxGapMs` apart. */
function gapWithin(samples: readonly DemandSample[], from: number, to: number, maxGapMs: number): boolean {
  const end = Math.min(to, samples.length - 1);
  for (let index = from; index < end; index++) {
    if (samples[index + 1]!.atMs - samples[index]!.atMs > maxGapMs) return true;
  }
  return false;
}

/** The learnt growth for the hour containing `atMs` (hour of week, else hour of day), or undefined. */
export function predictedStandbyAt(profile: DemandGrowthProfile, atMs: number): Resources | undefined {
  const slot = weekSlot(atMs);
  return profile.hourOfWeek[slot] ?? profile.hourOfDay[slot % 24];
}
