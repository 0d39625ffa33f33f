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

const ZERO: Resources = { cores: 0, memoryMb: 0, gpus: 0 };
const KEYS = ['cores', 'memoryMb', 'gpus'] as const;

/**
 * One observation at `atMs`: `growth`, the peak demand within the horizon above the demand at
 * `atMs` (never below 0), and `arriving`, the demand that arrived within the horizon (its weight).
 */
interface GrowthObservation {
  atMs: number;
  growth: Resources;
  arriving: Resources;
}

/** The demand after every change, in time order: the step function of the sessions' demand. */
function demandSteps(sessions: readonly RecordedSession[]): {
  atMs: number[];
  demand: Resources[];
  arrived: Resources[];
} {
  const events: { atMs: number; sign: number; session: RecordedSession }[] = [];
  for (const session of sessions) {
    events.push({ atMs: session.startMs, sign: 1, session });
    events.push({ atMs: session.startMs + session.durationMs, sign: -1, session });
  }
  // Departures before arrivals at the same instant: a session ending as another starts is no peak.
  events.sort((a, b) => a.atMs - b.atMs || a.sign - b.sign);
  const running = { ...ZERO };
  const arrivedSoFar = { ...ZERO };
  const atMs: number[] = [];
  const demand: Resources[] = [];
  const arrived: Resources[] = [];
  for (const { atMs: instant, sign, session } of events) {
    for (const key of KEYS) {
      running[key] += sign * session[key];
      if (sign > 0) arrivedSoFar[key] += session[key];
    }
    atMs.push(instant);
    demand.push({ ...running });
    arrived.push({ ...arrivedSoFar });
  }
  return { atMs, demand, arrived };
}

/** Index of the last step at or before `instant` (−1 when none), searching forward from `from`. */
function stepAt(steps: readonly number[], instant: number, from: number): number {
  let index = from;
  while (index + 1 < steps.length && steps[index + 1]! <= instant) index++;
  return index;
}

/** Growth observations every `stepMs` whose horizon ends by `toMs`, from recorded sessions. */
function observeSessions(options: {
  sessions: readonly RecordedSession[];
  fromMs: number;
  toMs: number;
  horizonMs: number;
  stepMs: number;
}): GrowthObservation[] {
  const steps = demandSteps(options.sessions);
  const observations: GrowthObservation[] = [];
  let now = -1;
  let end = -1;
  for (let atMs = options.fromMs; atMs + options.horizonMs <= options.toMs; atMs += options.stepMs) {
    now = stepAt(steps.atMs, atMs, now);
    end = stepAt(steps.atMs, atMs + options.horizonMs, Math.max(end, now));
    const base = now >= 0 ? steps.demand[now]! : ZERO;
    const arrivedBefore = now >= 0 ? steps.arrived[now]! : ZERO;
    const arrivedBy = end >= 0 ? steps.arrived[end]! : ZERO;
    const peak = { ...base };
    for (let index = now + 1; index <= end; index++) {
      for (const key of KEYS) peak[key] = Math.max(peak[key], steps.demand[index]![key]);
    }
    observations.push({
      atMs,
      growth: { cores: peak.cores - base.cores, memoryMb: peak.memoryMb - base.memoryMb, gpus: peak.gpus - base.gpus },
      arriving: {
        cores: arrivedBy.cores - arrivedBefore.cores,
        memoryMb: arrivedBy.memoryMb - arrivedBefore.memoryMb,
        gpus: arrivedBy.gpus - arrivedBefore.gpus,
      },
    });
  }
  return observations;
}

/**
 * The `quantile` of `values` weighted by `weights`: the smallest value below or at which that
 * share of the total weight lies (0 when nothing weighs).
 */
function weightedQuantile(values: readonly number[], weights: readonly number[], quantile: number): number {
  const order = values.map((_, index) => index).sort((a, b) => values[a]! - values[b]!);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) return 0;
  let cumulative = 0;
  for (const index of order) {
    cumulative += weights[index]!;
    if (cumulative >= quantile * total - 1e-9 * total) return values[index]!;
  }
  return values[order[order.length - 1]!] ?? 0;
}

function summarize(observations: GrowthObservation[], quantile: number, floor: number): Resources | undefined {
  if (observations.length < floor) return undefined;
  const result = { ...ZERO };
  for (const key of KEYS) {
    result[key] = weightedQuantile(
      observations.map((observation) => observation.growth[key]),
      observations.map((observation) => observation.arriving[key]),
      quantile,
    );
  }
  return result;
}

/** Demand of a pool at one instant: the resources its sessions (and queued requests) reserve. */
export interface DemandSample extends Resources {
  atMs: number;
}

/** Slots every observation into its hour of the week and hour of the day, and keeps each slot's quantile. */
function profileOfGrowth(options: {
  observations: readonly GrowthObservation[];
  horizonMs: number;
  quantile: number;
  confidenceFloor: number;
}): DemandGrowthProfile {
  const byWeek: GrowthObservation[][] = Array.from({ length: 168 }, () => []);
  const byDay: GrowthObservation[][] = Array.from({ length: 24 }, () => []);
  for (const observation of options.observations) {
    const slot = weekSlot(observation.atMs);
    byWeek[slot]!.push(observation);
    byDay[slot % 24]!.push(observation);
  }
  return {
    hourOfWeek: byWeek.map((values) => summarize(values, options.quantile, options.confidenceFloor)),
    hourOfDay: byDay.map((values) => summarize(values, options.quantile, options.confidenceFloor)),
    horizonMs: options.horizonMs,
  };
}

/**
 * Learns, from recorded load, how much demand grows within `horizonMs` (what a standby must hold
 * until a new instance is ready: boot, check-in and the wait for the next tick): every `stepMs`
 * from `fromMs` to `toMs`, the growth `max(0, peak demand in (t, t + horizon] − demand(t))` per
 * resource is an observation of t's hour of the week (and hour of the day). Each slot keeps,
 * once it has `confidenceFloor` observations, the `quantile` of its observations **weighted by the
 * demand arriving within their horizon**: the growth that that share of the slot's arriving demand
 * finds room for, so quantile 0.95 aims at the 95th percentile of sessions, not of minutes (a burst
 * that lands in one minute of the hour is most of the hour's arrivals). Pure: no clock, no I/O.
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
  return profileOfGrowth({
    observations: observeSessions({ ...options, stepMs: Math.max(1000, options.stepMs ?? 60_000) }),
    horizonMs: options.horizonMs,
    quantile: options.quantile,
    confidenceFloor: options.confidenceFloor,
  });
}

/** The observation of sample `index` whose horizon ends at sample `ahead`: peak and arrivals (rises) in between. */
function observeSamples(samples: readonly DemandSample[], index: number, ahead: number): GrowthObservation {
  const base = samples[index]!;
  const growth = { ...ZERO };
  const arriving = { ...ZERO };
  for (let next = index + 1; next <= ahead; next++) {
    for (const key of KEYS) {
      growth[key] = Math.max(growth[key], samples[next]![key] - base[key]);
      arriving[key] += Math.max(0, samples[next]![key] - samples[next - 1]![key]);
    }
  }
  return { atMs: base.atMs, growth, arriving };
}

/**
 * The same profile learnt from sampled demand (what a running service records each tick): every
 * sample whose instant plus `horizonMs` lies within the samples is an observation, its growth
 * the peak of the samples after it up to `atMs + horizonMs`, weighted by the rises between them.
 * Samples need not be evenly spaced (a gap while the service was down simply has no
 * observations); they are sorted here.
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
  const observations: GrowthObservation[] = [];
  let ahead = 0;
  for (let index = 0; index < samples.length; index++) {
    const targetMs = samples[index]!.atMs + options.horizonMs;
    if (ahead < index) ahead = index;
    while (ahead + 1 < samples.length && samples[ahead + 1]!.atMs <= targetMs) ahead++;
    // The horizon must lie within the samples, with no gap on the way there.
    if (ahead + 1 >= samples.length && samples[ahead]!.atMs < targetMs) break;
    if (gapWithin(samples, index, ahead + 1, maxGapMs)) continue;
    observations.push(observeSamples(samples, index, ahead));
  }
  return profileOfGrowth({
    observations,
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
