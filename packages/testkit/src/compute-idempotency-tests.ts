import assert from 'node:assert/strict';
import { HEADROOM_TAGS } from '@headroom/core/provider';
import type { ComputeConformanceContext } from './compute-conformance-context.js';

/** Two creates with one idempotency key start one instance. */
export function computeIdempotencyTests(context: ComputeConformanceContext): void {
  context.scopedTest('createInstance is idempotent by idempotencyKey', async (scope) => {
    const request = scope.buildCreate();
    const first = await scope.provider.createInstance(request.options);
    scope.track(first.instanceId);
    const second = await scope.provider.createInstance(request.options);
    scope.track(second.instanceId);
    assert.equal(second.instanceId, first.instanceId, 'the repeated create returns the first instance');
    await context.eventually(async () => {
      const listed = await scope.list({ [HEADROOM_TAGS.intent]: request.options.idempotencyKey });
      assert.deepEqual(
        listed.map((instance) => instance.instanceId),
        [first.instanceId],
        'exactly one instance exists for the key',
      );
    });
  });

  context.scopedTest('different idempotency keys start different instances', async (scope) => {
    const first = await scope.create();
    const second = await scope.create();
    assert.notEqual(first.instance.instanceId, second.instance.instanceId);
    await context.eventually(async () => {
      const listed = await scope.list(scope.scopeTags);
      assert.equal(listed.length, 2, 'two instances are listed');
    });
  });
}
