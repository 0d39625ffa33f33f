import assert from 'node:assert/strict';
import { HEADROOM_TAGS } from '@headroom/core/provider';
import { assertCarriesTags } from './compute-assertions.js';
import type { ComputeConformanceContext } from './compute-conformance-context.js';

/** listInstances returns exactly the instances that carry every requested tag. */
export function computeTagTests(context: ComputeConformanceContext): void {
  context.scopedTest('listInstances filters by every given tag', async (scope) => {
    const otherPool = `${scope.scopeTags[HEADROOM_TAGS.pool]}-other`;
    const first = await scope.create();
    const second = await scope.create({ pool: otherPool });
    await context.eventually(async () => {
      const listed = await scope.list(scope.scopeTags);
      const ids = listed.map((instance) => instance.instanceId);
      assert.ok(ids.includes(first.instance.instanceId), 'the instance of the listed pool is returned');
      assert.ok(!ids.includes(second.instance.instanceId), 'the instance of another pool is not returned');
      for (const instance of listed) assertCarriesTags(instance, scope.scopeTags, 'filtered listing');
    });
    await context.eventually(async () => {
      const byIntent = await scope.list({ [HEADROOM_TAGS.intent]: second.request.options.idempotencyKey });
      assert.deepEqual(
        byIntent.map((instance) => instance.instanceId),
        [second.instance.instanceId],
        'listing by headroom-intent finds exactly that instance',
      );
    });
  });

  context.scopedTest('listInstances returns an empty list when no instance matches', async (scope) => {
    await scope.create();
    const listed = await scope.list({ ...scope.scopeTags, [HEADROOM_TAGS.autoscale]: 'no-such-autoscale' });
    assert.deepEqual(listed, []);
  });
}
