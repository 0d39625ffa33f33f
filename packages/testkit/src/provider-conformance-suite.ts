import { computeAbortTests } from './compute-abort-tests.js';
import { type ComputeConformanceTarget, createComputeConformanceContext } from './compute-conformance-context.js';
import { computeDestroyTests } from './compute-destroy-tests.js';
import { computeFaultTests } from './compute-fault-tests.js';
import { computeIdempotencyTests } from './compute-idempotency-tests.js';
import { computeRoundTripTests } from './compute-round-trip-tests.js';
import { computeTagTests } from './compute-tag-tests.js';
import {
  type ConformanceFault,
  type ConformanceRunner,
  DEFAULT_CONFORMANCE_TIMEOUT_MS,
  DEFAULT_SETTLE_TIMEOUT_MS,
} from './conformance-runner.js';

export type { ComputeConformanceTarget } from './compute-conformance-context.js';

export interface ProviderConformanceSuiteOptions {
  /** Adapter name, used in the describe block. */
  name: string;
  runner: ConformanceRunner;
  /** Called once before the tests; `cleanup` of the result runs once after them. */
  createTarget: () => Promise<ComputeConformanceTarget>;
  /** Faults the target can inject; tests for others are skipped. Default: none. */
  faults?: ConformanceFault[];
  /** Whether aborting an in-flight call must reject with an abort error. Default true. */
  abort?: boolean;
  /** Per test. Default 30 s. */
  timeoutMs?: number;
  /** How long listings may lag behind creates and destroys (eventual consistency). Default 5 s. */
  settleTimeoutMs?: number;
}

/**
 * Registers the compute conformance tests for one adapter with the given runner: round trip, tags,
 * idempotent create, idempotent destroy, error classes of injected faults and abort signals.
 * Every instance a test creates carries a `headroom-managed-by` value unique to the run and is
 * destroyed when the test ends.
 */
export function providerConformanceSuite(options: ProviderConformanceSuiteOptions): void {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONFORMANCE_TIMEOUT_MS;
  const context = createComputeConformanceContext({
    runner: options.runner,
    timeoutMs,
    settleTimeoutMs: options.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS,
    createTarget: options.createTarget,
  });
  options.runner.describe(`${options.name}: compute provider conformance`, () => {
    options.runner.beforeAll(() => context.setUp(), timeoutMs);
    options.runner.afterAll(() => context.tearDown(), timeoutMs);
    computeRoundTripTests(context);
    computeTagTests(context);
    computeIdempotencyTests(context);
    computeDestroyTests(context);
    computeFaultTests(context, options.faults ?? []);
    if (options.abort ?? true) computeAbortTests(context);
  });
}
