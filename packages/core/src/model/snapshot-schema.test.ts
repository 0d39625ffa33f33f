import { expect, test } from 'vitest';
import { ConfigError } from '../errors/config-error.js';
import { parseSnapshot } from './snapshot-schema.js';

const issuesOf = (input: unknown): string[] => {
  try {
    parseSnapshot(input);
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  return [];
};

test('amounts and instants outside sane limits are refused by path, so sums never overflow', () => {
  const issues = issuesOf({
    at: '2026-11-22T10:00:00Z',
    instances: [
      {
        id: 'a',
        pool: 'p',
        autoscale: 'x',
        provider: 'cloud',
        state: 'running',
        createdAt: '+010000-01-01T00:00:00Z',
        capacity: { cores: 4, memoryMb: 1e300 },
        sessions: [{ id: 's', gpus: 1e5 }],
      },
    ],
    queued: [{ pool: 'p', cores: 1.7e308, since: '2026-11-22T09:00:00Z' }],
  });
  expect(issues).toEqual([
    'instances[0].createdAt: must be an ISO-8601 instant between 1970 and 2199',
    'instances[0].capacity.memoryMb: must be ≤ 1073741824',
    'instances[0].sessions[0].gpus: must be ≤ 10000',
    'queued[0].cores: must be ≤ 100000',
  ]);
});

test('a snapshot within limits parses', () => {
  expect(
    issuesOf({ at: '2026-11-22T10:00:00Z', queued: [{ pool: 'p', cores: 100_000, since: '2026-11-22T09:00:00Z' }] }),
  ).toEqual([]);
});
