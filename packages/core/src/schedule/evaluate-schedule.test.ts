import { describe, expect, test } from 'vitest';
import type { Schedule } from '../config/config-schema.js';
import { isActive, listTransitions, nextTransition } from './evaluate-schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const schedule = (days: Schedule['days'], start: string, end: string, timezone: string): Schedule => ({
  days,
  start,
  end,
  timezone,
});

describe('basic windows', () => {
  const business = [schedule(['mon', 'tue', 'wed', 'thu', 'fri'], '07:00', '18:00', 'America/New_York')];

  test('start is inclusive, end exclusive (Mon 2026-11-23, EST = UTC−5)', () => {
    expect(isActive(business, at('2026-11-23T11:59:59Z'))).toBe(false);
    expect(isActive(business, at('2026-11-23T12:00:00Z'))).toBe(true);
    expect(isActive(business, at('2026-11-23T22:59:59Z'))).toBe(true);
    expect(isActive(business, at('2026-11-23T23:00:00Z'))).toBe(false);
  });

  test('weekend is inactive and the next transition is Monday 07:00 local', () => {
    expect(isActive(business, at('2026-11-22T15:00:00Z'))).toBe(false);
    expect(iso(nextTransition(business, at('2026-11-21T15:00:00Z')))).toBe('2026-11-23T12:00:00.000Z');
    expect(iso(nextTransition(business, at('2026-11-23T12:00:00Z')))).toBe('2026-11-23T23:00:00.000Z');
  });

  test('a config without schedules is always active and never transitions', () => {
    expect(isActive([], at('2026-11-22T03:00:00Z'))).toBe(true);
    expect(nextTransition([], at('2026-11-22T03:00:00Z'))).toBeNull();
  });

  test('schedules covering every instant never transition', () => {
    const always = [schedule(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], '00:00', '24:00', 'UTC')];
    expect(isActive(always, at('2026-11-22T03:00:00Z'))).toBe(true);
    expect(nextTransition(always, at('2026-11-22T03:00:00Z'))).toBeNull();
  });

  test('Asia/Kathmandu +05:45', () => {
    const office = [schedule(['mon'], '09:00', '17:00', 'Asia/Kathmandu')];
    expect(isActive(office, at('2026-11-23T03:14:59Z'))).toBe(false);
    expect(isActive(office, at('2026-11-23T03:15:00Z'))).toBe(true);
    expect(iso(nextTransition(office, at('2026-11-23T03:15:00Z')))).toBe('2026-11-23T11:15:00.000Z');
  });
});

describe('overnight, 24:00 and full-day windows', () => {
  test('overnight window wraps the week: Sunday 22:00 → Monday 06:00', () => {
    const night = [schedule(['sun'], '22:00', '06:00', 'UTC')];
    expect(isActive(night, at('2026-11-22T21:59:59Z'))).toBe(false);
    expect(isActive(night, at('2026-11-22T22:00:00Z'))).toBe(true);
    expect(isActive(night, at('2026-11-23T05:59:59Z'))).toBe(true);
    expect(isActive(night, at('2026-11-23T06:00:00Z'))).toBe(false);
    // Saturday night is not listed.
    expect(isActive(night, at('2026-11-22T02:00:00Z'))).toBe(false);
    expect(iso(nextTransition(night, at('2026-11-23T06:00:00Z')))).toBe('2026-11-29T22:00:00.000Z');
  });

  test('seed example: Tue and Thu 21:00 → next day 05:00', () => {
    const overnight = [schedule(['tue', 'thu'], '21:00', '05:00', 'UTC')];
    expect(isActive(overnight, at('2026-11-25T04:59:00Z'))).toBe(true); // Wed morning
    expect(isActive(overnight, at('2026-11-26T04:59:00Z'))).toBe(false); // Thu morning: Wed not listed
    expect(isActive(overnight, at('2026-11-27T04:59:00Z'))).toBe(true); // Fri morning
  });

  test('"24:00" ends at the next midnight', () => {
    const monday = [schedule(['mon'], '00:00', '24:00', 'Europe/Berlin')];
    expect(isActive(monday, at('2026-11-23T22:59:59Z'))).toBe(true);
    expect(isActive(monday, at('2026-11-23T23:00:00Z'))).toBe(false);
    expect(isActive(monday, at('2026-11-22T22:59:59Z'))).toBe(false);
  });

  test('start = end means 24 hours', () => {
    const day = [schedule(['mon'], '09:00', '09:00', 'UTC')];
    expect(isActive(day, at('2026-11-23T09:00:00Z'))).toBe(true);
    expect(isActive(day, at('2026-11-24T08:59:59Z'))).toBe(true);
    expect(isActive(day, at('2026-11-24T09:00:00Z'))).toBe(false);
  });

  test('several schedules: morning and afternoon shifts', () => {
    const shifts = [
      schedule(['mon', 'wed', 'fri'], '08:00', '12:00', 'UTC'),
      schedule(['mon', 'wed', 'fri'], '14:00', '18:00', 'UTC'),
    ];
    expect(isActive(shifts, at('2026-11-23T11:00:00Z'))).toBe(true);
    expect(isActive(shifts, at('2026-11-23T13:00:00Z'))).toBe(false);
    expect(isActive(shifts, at('2026-11-23T15:00:00Z'))).toBe(true);
    expect(
      listTransitions(shifts, at('2026-11-23T00:00:00Z'), at('2026-11-24T00:00:00Z')).map((t) => [
        iso(t.atMs),
        t.active,
      ]),
    ).toEqual([
      ['2026-11-23T08:00:00.000Z', true],
      ['2026-11-23T12:00:00.000Z', false],
      ['2026-11-23T14:00:00.000Z', true],
      ['2026-11-23T18:00:00.000Z', false],
    ]);
  });

  test('adjacent schedules do not produce a transition where they meet', () => {
    const joined = [schedule(['wed'], '15:00', '24:00', 'UTC'), schedule(['thu'], '00:00', '11:00', 'UTC')];
    expect(iso(nextTransition(joined, at('2026-11-25T16:00:00Z')))).toBe('2026-11-26T11:00:00.000Z');
  });
});

describe('daylight saving time', () => {
  test('America/New_York spring forward: a start in the gap begins at the first instant after it', () => {
    const early = [schedule(['sun'], '02:30', '05:00', 'America/New_York')];
    expect(isActive(early, at('2026-03-08T06:59:59Z'))).toBe(false);
    expect(isActive(early, at('2026-03-08T07:00:00Z'))).toBe(true);
    expect(isActive(early, at('2026-03-08T08:59:59Z'))).toBe(true);
    expect(isActive(early, at('2026-03-08T09:00:00Z'))).toBe(false);
  });

  test('America/New_York fall back: a repeated wall time resolves to its earlier occurrence', () => {
    const repeated = [schedule(['sun'], '01:30', '03:00', 'America/New_York')];
    expect(isActive(repeated, at('2026-11-01T05:29:59Z'))).toBe(false);
    expect(isActive(repeated, at('2026-11-01T05:30:00Z'))).toBe(true);
    expect(isActive(repeated, at('2026-11-01T07:59:59Z'))).toBe(true);
    expect(isActive(repeated, at('2026-11-01T08:00:00Z'))).toBe(false);
  });

  test('a business day spanning the switch is shorter or longer in UTC', () => {
    const day = [schedule(['sun'], '00:00', '24:00', 'America/New_York')];
    const spring = listTransitions(day, at('2026-03-07T12:00:00Z'), at('2026-03-09T12:00:00Z'));
    expect(spring.map((t) => iso(t.atMs))).toEqual(['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
    const autumn = listTransitions(day, at('2026-10-31T12:00:00Z'), at('2026-11-02T12:00:00Z'));
    expect(autumn.map((t) => iso(t.atMs))).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
  });

  test('Europe/Berlin both directions', () => {
    const gap = [schedule(['sun'], '02:00', '04:00', 'Europe/Berlin')];
    expect(isActive(gap, at('2026-03-29T00:59:59Z'))).toBe(false);
    expect(isActive(gap, at('2026-03-29T01:00:00Z'))).toBe(true);
    expect(iso(nextTransition(gap, at('2026-03-29T01:00:00Z')))).toBe('2026-03-29T02:00:00.000Z');
    const twice = [schedule(['sun'], '02:30', '02:45', 'Europe/Berlin')];
    expect(isActive(twice, at('2026-10-25T00:30:00Z'))).toBe(true);
    expect(isActive(twice, at('2026-10-25T00:45:00Z'))).toBe(false);
    expect(isActive(twice, at('2026-10-25T01:35:00Z'))).toBe(false);
  });

  test('Australia/Lord_Howe 30-minute shift', () => {
    const gap = [schedule(['sun'], '02:10', '03:00', 'Australia/Lord_Howe')];
    expect(isActive(gap, at('2026-10-03T15:29:59Z'))).toBe(false);
    expect(isActive(gap, at('2026-10-03T15:30:00Z'))).toBe(true);
    expect(isActive(gap, at('2026-10-03T15:59:59Z'))).toBe(true);
    expect(isActive(gap, at('2026-10-03T16:00:00Z'))).toBe(false);
    const repeated = [schedule(['sun'], '01:40', '01:50', 'Australia/Lord_Howe')];
    expect(isActive(repeated, at('2026-04-04T14:40:00Z'))).toBe(true);
    expect(isActive(repeated, at('2026-04-04T14:50:00Z'))).toBe(false);
    expect(isActive(repeated, at('2026-04-04T15:10:00Z'))).toBe(false);
  });

  test('Pacific/Chatham +12:45 → +13:45', () => {
    const gap = [schedule(['sun'], '03:00', '04:00', 'Pacific/Chatham')];
    expect(isActive(gap, at('2026-09-26T13:59:59Z'))).toBe(false);
    expect(isActive(gap, at('2026-09-26T14:00:00Z'))).toBe(true);
    expect(isActive(gap, at('2026-09-26T14:14:59Z'))).toBe(true);
    expect(isActive(gap, at('2026-09-26T14:15:00Z'))).toBe(false);
  });

  test('nextTransition agrees with isActive around every transition of a year in several zones', () => {
    const zones = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham'];
    for (const timezone of zones) {
      const schedules = [
        schedule(['mon', 'tue', 'wed', 'thu', 'fri'], '07:00', '18:00', timezone),
        schedule(['sat', 'sun'], '01:45', '02:15', timezone),
      ];
      let cursor = at('2026-01-01T00:00:00Z');
      const end = at('2027-01-01T00:00:00Z');
      let count = 0;
      while (cursor < end) {
        const next = nextTransition(schedules, cursor);
        expect(next).not.toBeNull();
        expect(next!).toBeGreaterThan(cursor);
        expect(isActive(schedules, next! - 1)).toBe(isActive(schedules, cursor));
        expect(isActive(schedules, next!)).not.toBe(isActive(schedules, cursor));
        cursor = next!;
        count += 1;
      }
      expect(count).toBeGreaterThan(700);
    }
  });
});
