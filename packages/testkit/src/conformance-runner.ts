import type { FakeFault } from '@headroom/core/test';

/**
 * The test functions of the runner the suite registers its tests with. Pass vitest's or
 * node:test's functions: `{ describe, test, beforeAll, afterAll }` (node:test names them
 * `before`/`after`).
 */
export interface ConformanceRunner {
  describe(name: string, fn: () => void): void;
  test(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
  beforeAll(fn: () => Promise<void>, timeoutMs?: number): void;
  afterAll(fn: () => Promise<void>, timeoutMs?: number): void;
}

/**
 * A fault a compute target can make its next `createInstance` call fail with: the project's one
 * fault vocabulary (`FakeFault` of the fake cloud), narrowed to what every endpoint fake can answer
 * in its cloud's own error shape.
 */
export type ConformanceFault = Extract<
  FakeFault,
  'insufficient-capacity' | 'quota-exceeded' | 'throttled' | 'server-error'
>;

export const CONFORMANCE_FAULTS: readonly ConformanceFault[] = [
  'insufficient-capacity',
  'quota-exceeded',
  'throttled',
  'server-error',
];

/** Default per-test timeout of the suites. */
export const DEFAULT_CONFORMANCE_TIMEOUT_MS = 30_000;

/** Default time the suites wait for listings to reflect a change (eventual consistency). */
export const DEFAULT_SETTLE_TIMEOUT_MS = 5_000;
