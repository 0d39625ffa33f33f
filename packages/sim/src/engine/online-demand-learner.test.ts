import { type FleetSnapshot, predictedStandbyAt } from '@headroom/core';
import { expect, test } from 'vitest';
import { createOnlineDemandLearner } from './online-demand-learner.js';

const dayMs = 86_400_000;
const mondayMs = Date.UTC(2025, 0, 6);

/** A pool whose demand is `cores` (as queued requests of 1 core each, so no instances are needed). */
function snapshotWith(cores: number, atMs: number): FleetSnapshot {
  const since = new Date(atMs).toISOString();
  return {
    at: since,
    instances: [],
    queued: Array.from({ length: cores }, () => ({ pool: 'agents', cores: 1, memoryMb: 0, gpus: 0, since })),
  };
}

/** Daily from 09:00 to 10:00 one more core every minute, then none: the demand observed at `atMs`. */
function burstDemand(atMs: number, days: number): number {
  const day = Math.floor((atMs - mondayMs) / dayMs);
  const minute = Math.floor(((atMs - mondayMs) % dayMs) / 60_000) - 9 * 60;
  return day < days && minute >= 0 && minute < 60 ? minute + 1 : 0;
}

function learner(historyDays: number) {
  return createOnlineDemandLearner({
    configs: [
      { key: 'agents/main', pool: 'agents', horizonMs: 120_000, quantile: 0.9, confidenceFloor: 12, historyDays },
    ],
  });
}

/** Observes 30-second ticks from Monday 00:00 until `untilMs`. */
function observeUntil(online: ReturnType<typeof learner>, untilMs: number, burstDays: number): void {
  for (let atMs = mondayMs; atMs <= untilMs; atMs += 30_000)
    online.observe(snapshotWith(burstDemand(atMs, burstDays), atMs), atMs);
}

test('nothing is predicted before the first hourly relearn', () => {
  const online = learner(28);
  observeUntil(online, mondayMs + 59 * 60_000, 7);
  expect(online.profiles()).toEqual({});
});

test('after two days of a 09:00 burst the third day is predicted to grow at 09:00 and not at night', () => {
  const online = learner(28);
  const thirdDayMs = mondayMs + 2 * dayMs;
  observeUntil(online, thirdDayMs + 9 * 3_600_000, 7);
  const profile = online.profiles()['agents/main']!;
  // One core a minute over a 2-minute horizon (sampled once a minute).
  expect(predictedStandbyAt(profile, thirdDayMs + 9 * 3_600_000)?.cores).toBe(2);
  expect(predictedStandbyAt(profile, thirdDayMs + 3 * 3_600_000)?.cores).toBe(0);
});

test('samples older than historyDays are not learnt from', () => {
  const online = learner(1);
  // The burst happens on the first day only; by the third day's 09:00 it is more than a day old.
  observeUntil(online, mondayMs + 2 * dayMs + 9 * 3_600_000, 1);
  const profile = online.profiles()['agents/main']!;
  expect(predictedStandbyAt(profile, mondayMs + 2 * dayMs + 9 * 3_600_000)?.cores).toBe(0);
});
