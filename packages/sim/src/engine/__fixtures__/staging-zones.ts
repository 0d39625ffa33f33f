import { parseConfig } from '@headroom/core';
import { BILLING_PER_SECOND, type CloudModel } from '../../cloud-model.js';
import type { TraceSession } from '../../trace/trace-session.js';

/** One-minute boots, no failures, per-second billing at 3.6 an hour. */
export const stagingCloud: CloudModel = {
  defaults: {
    bootTime: { kind: 'fixed', seconds: 60 },
    bootFailureProbability: 0,
    checkinDelay: { kind: 'fixed', seconds: 0 },
    billing: BILLING_PER_SECOND,
  },
  defaultPricePerInstanceHour: 3.6,
};

/** Two zones with agents in each; east searches west, west searches nowhere; chrome staging as given. */
export function zonedStagingConfig(staging: { id: string; autoscale: string; desiredSessions: number }[]) {
  return parseConfig({
    providers: { sim: { type: 'fake', maxInstances: 10 } },
    zones: [
      { id: 'east', searchAlternateZones: true, alternateZones: ['west'] },
      { id: 'west', searchAlternateZones: false },
    ],
    pools: [
      {
        id: 'agents',
        kind: 'docker-agent',
        autoscale: [
          { id: 'east-agents', provider: 'sim', zone: 'east', agent: { cores: 4, memoryMb: 8192, gpus: 0 } },
          { id: 'west-agents', provider: 'sim', zone: 'west', agent: { cores: 4, memoryMb: 8192, gpus: 0 } },
        ],
      },
    ],
    staging: staging.map((entry) => ({
      ...entry,
      pool: 'agents',
      workspace: 'chrome',
      expirationHours: 0,
      session: { cores: 1, memoryMb: 1024, gpus: 0 },
    })),
  });
}

/** A ten-minute one-core chrome session arriving at `startSeconds`, from `zone` when given. */
export const chromeSession = (startSeconds: number, zone?: string): TraceSession => ({
  startMs: startSeconds * 1000,
  durationMs: 600_000,
  cores: 1,
  memoryMb: 1024,
  gpus: 0,
  workspace: 'chrome',
  ...(zone !== undefined ? { zone } : {}),
});
