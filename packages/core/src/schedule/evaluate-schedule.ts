import { IANAZone } from 'luxon';
import type { DayOfWeek, Schedule } from '../config/config-schema.js';

const minuteMs = 60_000;
const dayMs = 86_400_000;
const dayIndex: Record<DayOfWeek, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/** An interval of instants [startMs, endMs). */
export interface ScheduleInterval {
  startMs: number;
  endMs: number;
}

const zones = new Map<string, IANAZone>();
function zoneFor(name: string): IANAZone {
  let zone = zones.get(name);
  if (!zone) {
    zone = IANAZone.create(name);
    if (!zone.isValid) throw new RangeError(`unknown time zone "${name}"`);
    zones.set(name, zone);
  }
  return zone;
}

/** Resolved intervals by zone, times and local day: time-zone arithmetic is the costly part of planning. */
const intervalCache = new Map<string, ScheduleInterval>();
const intervalCacheLimit = 50_000;

const offsetMs = (zone: IANAZone, instantMs: number): number => zone.offset(instantMs) * minuteMs;

/**
 * Turns a local wall time (given as "naive" milliseconds: the wall clock read as if it were UTC)
 * into an instant. A wall time skipped by a DST jump resolves to the first instant after the gap;
 * a wall time that occurs twice resolves to its earlier occurrence.
 */
export function resolveWallTime(zone: IANAZone, wallMs: number): number {
  const offsetBefore = offsetMs(zone, wallMs - dayMs);
  const offsetAfter = offsetMs(zone, wallMs + dayMs);
  const candidateBefore = wallMs - offsetBefore;
  const candidateAfter = wallMs - offsetAfter;
  const beforeValid = offsetMs(zone, candidateBefore) === offsetBefore;
  const afterValid = offsetMs(zone, candidateAfter) === offsetAfter;
  if (beforeValid && afterValid) return Math.min(candidateBefore, candidateAfter);
  if (beforeValid) return candidateBefore;
  if (afterValid) return candidateAfter;
  // In a gap: the transition lies between the two candidates; find the first instant with the new offset.
  let low = Math.min(candidateBefore, candidateAfter);
  let high = Math.max(candidateBefore, candidateAfter);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetMs(zone, middle) === offsetAfter) high = middle;
    else low = middle;
  }
  return high;
}

function parseTimeOfDayMs(text: string): number {
  const [hours, minutes] = text.split(':').map(Number) as [number, number];
  return (hours * 60 + minutes) * minuteMs;
}

/** The local calendar day (naive ms at local midnight) that contains the instant. */
function localDayStartMs(zone: IANAZone, instantMs: number): number {
  // Offsets differ from UTC by less than a day, so the local day is the UTC day or one of its neighbours.
  const utcDay = Math.floor(instantMs / dayMs) * dayMs;
  const cacheKey = `${zone.name}|${utcDay}`;
  let offsets = dayOffsetCache.get(cacheKey);
  if (!offsets) {
    offsets = [offsetMs(zone, utcDay), offsetMs(zone, utcDay + dayMs - 1)];
    if (dayOffsetCache.size >= intervalCacheLimit) dayOffsetCache.clear();
    dayOffsetCache.set(cacheKey, offsets);
  }
  // A transition inside this UTC day: ask the zone for the exact instant.
  const offset = offsets[0] === offsets[1] ? offsets[0]! : offsetMs(zone, instantMs);
  return Math.floor((instantMs + offset) / dayMs) * dayMs;
}
const dayOffsetCache = new Map<string, number[]>();

/**
 * The intervals a schedule defines for the local days from `firstDayMs` to `lastDayMs` (naive
 * midnights, inclusive), per DESIGN §6.
 */
function intervalsForDays(
  schedule: Schedule,
  zone: IANAZone,
  firstDayMs: number,
  lastDayMs: number,
): ScheduleInterval[] {
  const startOfDayMs = parseTimeOfDayMs(schedule.start);
  const endOfDayMs = parseTimeOfDayMs(schedule.end);
  const overnight = startOfDayMs >= endOfDayMs;
  const days = new Set(schedule.days.map((day) => dayIndex[day]));
  const intervals: ScheduleInterval[] = [];
  for (let day = firstDayMs; day <= lastDayMs; day += dayMs) {
    if (!days.has(new Date(day).getUTCDay())) continue;
    const cacheKey = `${schedule.timezone}|${schedule.start}|${schedule.end}|${day}`;
    let interval = intervalCache.get(cacheKey);
    if (!interval) {
      const endDay = overnight ? day + dayMs : day;
      interval = {
        startMs: resolveWallTime(zone, day + startOfDayMs),
        endMs: resolveWallTime(zone, endDay + endOfDayMs),
      };
      if (intervalCache.size >= intervalCacheLimit) intervalCache.clear();
      intervalCache.set(cacheKey, interval);
    }
    intervals.push(interval);
  }
  return intervals;
}

function scheduleActiveAt(schedule: Schedule, instantMs: number): boolean {
  const zone = zoneFor(schedule.timezone);
  const today = localDayStartMs(zone, instantMs);
  for (const interval of intervalsForDays(schedule, zone, today - dayMs, today)) {
    if (interval.startMs <= instantMs && instantMs < interval.endMs) return true;
  }
  return false;
}

/**
 * Whether a set of schedules is active at an instant: true when the instant lies in any interval
 * of any schedule. An empty list means "always active" (a config without schedules).
 */
export function isActive(schedules: readonly Schedule[], instantMs: number): boolean {
  if (schedules.length === 0) return true;
  return schedules.some((schedule) => scheduleActiveAt(schedule, instantMs));
}

/**
 * The next instant after `instantMs` at which `isActive` changes, or null when it never does
 * (no schedules, or schedules that cover every instant).
 */
export function nextTransition(schedules: readonly Schedule[], instantMs: number): number | null {
  if (schedules.length === 0) return null;
  const boundaries: number[] = [];
  for (const schedule of schedules) {
    const zone = zoneFor(schedule.timezone);
    const today = localDayStartMs(zone, instantMs);
    for (const interval of intervalsForDays(schedule, zone, today - dayMs, today + 8 * dayMs)) {
      if (interval.startMs > instantMs) boundaries.push(interval.startMs);
      if (interval.endMs > instantMs) boundaries.push(interval.endMs);
    }
  }
  boundaries.sort((a, b) => a - b);
  const current = isActive(schedules, instantMs);
  let previous = Number.NaN;
  for (const boundary of boundaries) {
    if (boundary === previous) continue;
    previous = boundary;
    if (isActive(schedules, boundary) !== current) return boundary;
  }
  return null;
}

/** Every transition after `fromMs` up to and including `untilMs`, with the state it leads to. */
export function listTransitions(
  schedules: readonly Schedule[],
  fromMs: number,
  untilMs: number,
): Array<{ atMs: number; active: boolean }> {
  const transitions: Array<{ atMs: number; active: boolean }> = [];
  let cursor = fromMs;
  for (;;) {
    const next = nextTransition(schedules, cursor);
    if (next === null || next > untilMs) return transitions;
    transitions.push({ atMs: next, active: isActive(schedules, next) });
    cursor = next;
  }
}
