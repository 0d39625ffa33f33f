import assert from 'node:assert/strict';
import {
  HEADROOM_TAGS,
  InsufficientCapacityError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import type { ComputeConformanceContext } from './compute-conformance-context.js';
import { captureRejection, describeError } from './conformance-helpers.js';
import type { ConformanceFault } from './conformance-runner.js';

function assertClassified(fault: ConformanceFault, error: unknown): void {
  const described = describeError(error);
  switch (fault) {
    case 'insufficient-capacity':
      assert.ok(InsufficientCapacityError.isInstance(error), `expected InsufficientCapacityError, got ${described}`);
      return;
    case 'quota-exceeded':
      assert.ok(QuotaExceededError.isInstance(error), `expected QuotaExceededError, got ${described}`);
      return;
    case 'throttled':
    case 'server-error': {
      assert.ok(ProviderApiError.isInstance(error), `expected ProviderApiError, got ${described}`);
      assert.equal(error.isRetryable, true, `a ${fault} error is retryable`);
      if (fault === 'server-error' && error.statusCode !== undefined) {
        assert.ok(error.statusCode >= 500, `a server error has a 5xx status, not ${error.statusCode}`);
      }
      return;
    }
  }
}

/** Injected faults surface as the error classes the reconciler acts on. */
export function computeFaultTests(context: ComputeConformanceContext, faults: readonly ConformanceFault[]): void {
  for (const fault of faults) {
    context.scopedTest(`a ${fault} fault surfaces as its error class, and only for one call`, async (scope) => {
      const injectFault = scope.target.injectFault;
      assert.ok(injectFault, `the target declares the ${fault} fault but has no injectFault`);
      await injectFault(fault);
      const request = scope.buildCreate();
      const error = await captureRejection(scope.provider.createInstance(request.options), `create after ${fault}`);
      assertClassified(fault, error);
      assert.ok(error instanceof Error, 'the rejection is an Error');
      if (fault === 'insufficient-capacity' || fault === 'quota-exceeded') {
        const listed = await scope.list({ [HEADROOM_TAGS.intent]: request.options.idempotencyKey });
        assert.deepEqual(listed, [], `a create refused for ${fault} leaves no instance`);
      }
      const { instance } = await scope.create();
      assert.ok(instance.instanceId.length > 0, 'the next create succeeds');
    });
  }
}
