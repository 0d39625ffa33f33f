import { assertGoneOrStopping } from './compute-assertions.js';
import type { ComputeConformanceContext } from './compute-conformance-context.js';

const defaultMissingInstanceId = 'headroom-conformance-missing';

/** Destroying something that is gone counts as success. */
export function computeDestroyTests(context: ComputeConformanceContext): void {
  context.scopedTest('destroyInstance of an already destroyed instance succeeds', async (scope) => {
    const { instance } = await scope.create();
    await scope.provider.destroyInstance({ instanceId: instance.instanceId });
    await scope.provider.destroyInstance({ instanceId: instance.instanceId });
    await context.eventually(async () => {
      assertGoneOrStopping(await scope.list(scope.scopeTags), instance.instanceId, 'after two destroys');
    });
  });

  context.scopedTest('destroyInstance of an instance that never existed succeeds', async (scope) => {
    await scope.provider.destroyInstance({ instanceId: scope.target.missingInstanceId ?? defaultMissingInstanceId });
  });
}
