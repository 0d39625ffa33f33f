import assert from 'node:assert/strict';
import { HEADROOM_TAGS } from '@headroom/core/provider';
import { assertCarriesTags, assertGoneOrStopping } from './compute-assertions.js';
import type { ComputeConformanceContext } from './compute-conformance-context.js';

const liveStates = new Set(['pending', 'running']);

/** Create → list → destroy → list, and the shape of what the provider reports. */
export function computeRoundTripTests(context: ComputeConformanceContext): void {
  context.scopedTest('createInstance returns the instance it started, with its name and tags', async (scope) => {
    const { instance, request } = await scope.create({ extraTags: { 'conformance-extra': 'kept' } });
    assert.equal(typeof instance.instanceId, 'string');
    assert.ok(instance.instanceId.length > 0, 'instanceId is not empty');
    assert.equal(instance.name, request.options.name);
    assert.ok(liveStates.has(instance.state), `a new instance is pending or running, not ${instance.state}`);
    assertCarriesTags(instance, request.tags, 'createInstance result');
    if (instance.createdAt !== undefined) {
      assert.ok(!Number.isNaN(Date.parse(instance.createdAt)), `createdAt is ISO-8601: ${instance.createdAt}`);
    }
  });

  context.scopedTest('listInstances shows a created instance with the four headroom tags', async (scope) => {
    const { instance, request } = await scope.create({ extraTags: { 'conformance-extra': 'kept' } });
    const listedInstance = await context.eventually(async () => {
      const listed = await scope.list(scope.scopeTags);
      const found = listed.find((candidate) => candidate.instanceId === instance.instanceId);
      assert.ok(found, `instance ${instance.instanceId} is listed`);
      return found;
    });
    assert.equal(listedInstance.name, request.options.name);
    assert.ok(
      liveStates.has(listedInstance.state),
      `a new instance is listed as pending or running, not ${listedInstance.state}`,
    );
    for (const tag of Object.values(HEADROOM_TAGS)) {
      assert.ok(tag in listedInstance.tags, `listed instance carries ${tag}`);
    }
    assertCarriesTags(listedInstance, request.tags, 'listed instance');
  });

  context.scopedTest('destroyInstance removes the instance from listInstances', async (scope) => {
    const { instance } = await scope.create();
    await context.eventually(async () => {
      const listed = await scope.list(scope.scopeTags);
      assert.ok(
        listed.some((candidate) => candidate.instanceId === instance.instanceId),
        'listed before destroy',
      );
    });
    await scope.provider.destroyInstance({ instanceId: instance.instanceId });
    await context.eventually(async () => {
      assertGoneOrStopping(await scope.list(scope.scopeTags), instance.instanceId, 'after destroyInstance');
    });
  });
}
