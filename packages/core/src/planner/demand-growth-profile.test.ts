import { describe, expect, test } from 'vitest';
import { learnDemandGrowthProfile, predictedStandbyAt } from './demand-growth-profile.js';

const mondayMs = Date.UTC(2025, 0, 6); // a Monday, 00:00 UTC
const hourMs = 3_600_000;

describe('learnDemandGrowthProfile', () => {
  test('learns the growth of the hour where sessions arrive, nothing elsewhere', () => {
    // Every Monday 09:00–10:00 for two weeks, a 2-core session arrives every 2 minutes and runs 1 h.
    const sessions = [0, 7].flatMap((day) =>
      Array.from({ length: 30 }, (_, index) => ({
        startMs: mondayMs + day * 24 * hourMs + 9 * hourMs + index * 120_000,
        durationMs: hourMs,
        cores: 2,
        memoryMb: 1024,
        gpus: 0,
      })),
    );
    const profile = learnDemandGrowthProfile({
      sessions,
      fromMs: mondayMs,
      toMs: mondayMs + 14 * 24 * hourMs,
      horizonMs: 300_000,
      quantile: 0.95,
      confidenceFloor: 30,
    });
    // Within 5 minutes, 2 or 3 sessions arrive (4–6 cores); the 95th percentile is 6 cores.
    expect(predictedStandbyAt(profile, mondayMs + 9 * hourMs + 600_000)).toEqual({ cores: 6, memoryMb: 3072, gpus: 0 });
    // Monday 11:00: nothing arrives, departures are not growth.
    expect(predictedStandbyAt(profile, mondayMs + 11 * hourMs)).toEqual({ cores: 0, memoryMb: 0, gpus: 0 });
  });

  test('a slot with too few observations falls back to the hour of day, else to nothing', () => {
    const sessions = [{ startMs: mondayMs + 9 * hourMs, durationMs: hourMs, cores: 4, memoryMb: 0, gpus: 0 }];
    const profile = learnDemandGrowthProfile({
      sessions,
      fromMs: mondayMs,
      toMs: mondayMs + 24 * hourMs,
      horizonMs: 60_000,
      quantile: 1,
      confidenceFloor: 61,
    });
    // 60 observations per hour (one a minute) are below the floor of 61.
    expect(profile.hourOfWeek.every((slot) => slot === undefined)).toBe(true);
    expect(predictedStandbyAt(profile, mondayMs + 9 * hourMs)).toBeUndefined();
  });
});
