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

  test('growth is the peak within the horizon: sessions that come and go before its end count', () => {
    // Monday 09:00–10:00, every 5 minutes a 4-core session that lasts 20 s, between two minute marks.
    const sessions = Array.from({ length: 12 }, (_, index) => ({
      startMs: mondayMs + 9 * hourMs + index * 300_000 + 30_000,
      durationMs: 20_000,
      cores: 4,
      memoryMb: 0,
      gpus: 0,
    }));
    const profile = learnDemandGrowthProfile({
      sessions,
      fromMs: mondayMs,
      toMs: mondayMs + 24 * hourMs,
      horizonMs: 180_000,
      quantile: 1,
      confidenceFloor: 1,
    });
    // No minute mark (where the horizons end) falls inside a session, yet the standby must hold it.
    expect(predictedStandbyAt(profile, mondayMs + 9 * hourMs)?.cores).toBe(4);
  });

  test('the quantile weighs observations by the demand arriving in them: a one-minute burst is most of the hour', () => {
    // Monday 09:00–10:00: a 1-core session every minute, and one burst of 100 cores at 09:30:30.
    const trickle = Array.from({ length: 60 }, (_, index) => ({
      startMs: mondayMs + 9 * hourMs + index * 60_000 + 30_000,
      durationMs: 4 * hourMs,
      cores: 1,
      memoryMb: 0,
      gpus: 0,
    }));
    const burst = {
      startMs: mondayMs + 9 * hourMs + 30 * 60_000 + 30_000,
      durationMs: 4 * hourMs,
      cores: 100,
      memoryMb: 0,
      gpus: 0,
    };
    const learn = (quantile: number) =>
      learnDemandGrowthProfile({
        sessions: [...trickle, burst],
        fromMs: mondayMs,
        toMs: mondayMs + 24 * hourMs,
        horizonMs: 60_000,
        quantile,
        confidenceFloor: 1,
      });
    // 59 of the hour's 60 minutes see 1 core arrive, one sees 101: by minutes the 95th percentile
    // would be 1 core, yet 101 of the 160 cores that arrive come in that minute.
    expect(predictedStandbyAt(learn(0.95), mondayMs + 9 * hourMs)?.cores).toBe(101);
    expect(predictedStandbyAt(learn(0.5), mondayMs + 9 * hourMs)?.cores).toBe(101);
    expect(predictedStandbyAt(learn(0.3), mondayMs + 9 * hourMs)?.cores).toBe(1);
  });
});
