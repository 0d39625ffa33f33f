import assert from 'node:assert/strict';
import { HEADROOM_TAGS } from '@headroom/core/provider';
import type { ComputeConformanceContext } from './compute-conformance-context.js';
import { captureRejection, describeError, isAbortError } from './conformance-helpers.js';

function abortedSignal(): AbortSignal {
  const controller = new AbortController();
  controller.abort();
  return controller.signal;
}

function assertAbortError(error: unknown, abortSignal: AbortSignal, what: string): void {
  assert.ok(isAbortError(error, abortSignal), `${what}: expected an abort error, got ${describeError(error)}`);
}

/** Every call honours its abort signal. */
export function computeAbortTests(context: ComputeConformanceContext): void {
  context.scopedTest('an already aborted signal rejects every call and creates nothing', async (scope) => {
    const listSignal = abortedSignal();
    const listError = await captureRejection(
      scope.provider.listInstances({ tags: scope.scopeTags, abortSignal: listSignal }),
      'listInstances with an aborted signal',
    );
    assertAbortError(listError, listSignal, 'listInstances');

    const createSignal = abortedSignal();
    const request = scope.buildCreate({ abortSignal: createSignal });
    const createError = await captureRejection(
      scope.provider.createInstance(request.options),
      'createInstance with an aborted signal',
    );
    assertAbortError(createError, createSignal, 'createInstance');
    const listed = await scope.list({ [HEADROOM_TAGS.intent]: request.options.idempotencyKey });
    assert.deepEqual(listed, [], 'an aborted create started nothing');

    const { instance } = await scope.create();
    const destroySignal = abortedSignal();
    const destroyError = await captureRejection(
      scope.provider.destroyInstance({ instanceId: instance.instanceId, abortSignal: destroySignal }),
      'destroyInstance with an aborted signal',
    );
    assertAbortError(destroyError, destroySignal, 'destroyInstance');
    const afterDestroy = await scope.list(scope.scopeTags);
    assert.ok(
      afterDestroy.some((candidate) => candidate.instanceId === instance.instanceId && candidate.state !== 'stopping'),
      'an aborted destroy left the instance alone',
    );
  });

  context.scopedTest('aborting an in-flight call rejects it with an abort error', async (scope) => {
    const listController = new AbortController();
    const listing = scope.provider.listInstances({ tags: scope.scopeTags, abortSignal: listController.signal });
    listController.abort();
    assertAbortError(
      await captureRejection(listing, 'listInstances aborted in flight'),
      listController.signal,
      'listInstances',
    );

    const createController = new AbortController();
    const request = scope.buildCreate({ abortSignal: createController.signal });
    const creating = scope.provider.createInstance(request.options);
    createController.abort();
    assertAbortError(
      await captureRejection(creating, 'createInstance aborted in flight'),
      createController.signal,
      'createInstance',
    );
  });
}
