import type { ComputeProviderV1, CreateInstanceOptionsV1, ProviderInstance, Resources } from '@headroom/core/provider';
import { HEADROOM_TAGS } from '@headroom/core/provider';
import { createRunId, eventually } from './conformance-helpers.js';
import type { ConformanceFault, ConformanceRunner } from './conformance-runner.js';

/** What a compute adapter hands the conformance suite. */
export interface ComputeConformanceTarget {
  provider: ComputeProviderV1;
  /** Shape to create instances with. */
  shape: Resources;
  /** Make the NEXT createInstance call fail with this fault (omit when the target cannot inject faults). */
  injectFault?: (fault: ConformanceFault) => void | Promise<void>;
  /**
   * An instance id in the provider's format that does not exist, for the "destroy a missing
   * instance" test. Defaults to `headroom-conformance-missing`.
   */
  missingInstanceId?: string;
  cleanup?: () => Promise<void>;
}

/** The tags, name and key of one create in a test scope. */
export interface ConformanceCreate {
  options: CreateInstanceOptionsV1;
  tags: Record<string, string>;
}

/**
 * One test's namespace: its own pool tag, so tests never see each other's instances. Everything
 * created through it is destroyed when the test ends.
 */
export interface ComputeTestScope {
  target: ComputeConformanceTarget;
  provider: ComputeProviderV1;
  /** Tags selecting every instance of this test. */
  scopeTags: Record<string, string>;
  /** Builds create options with the four `headroom-*` tags, a unique name and a unique key. */
  buildCreate(options?: {
    pool?: string;
    extraTags?: Record<string, string>;
    abortSignal?: AbortSignal;
  }): ConformanceCreate;
  /** Creates an instance and remembers it for cleanup. */
  create(options?: { pool?: string; extraTags?: Record<string, string> }): Promise<{
    instance: ProviderInstance;
    request: ConformanceCreate;
  }>;
  /** Remembers an instance created outside `create` so that it is destroyed after the test. */
  track(instanceId: string): void;
  /** Lists the instances carrying `tags` plus this run's `headroom-managed-by` tag. */
  list(tags: Record<string, string>): Promise<ProviderInstance[]>;
}

export interface ComputeConformanceContext {
  runner: ConformanceRunner;
  timeoutMs: number;
  /** Retries `check` until it passes or the settle timeout is over (listings may lag). */
  eventually<T>(check: () => Promise<T>): Promise<T>;
  /** Registers a test that gets a fresh scope and cleans up after itself. */
  scopedTest(name: string, body: (scope: ComputeTestScope) => Promise<void>): void;
}

const conformancePool = 'conformance';
const conformanceAutoscale = 'conformance-autoscale';

export function createComputeConformanceContext(options: {
  runner: ConformanceRunner;
  timeoutMs: number;
  settleTimeoutMs: number;
  createTarget: () => Promise<ComputeConformanceTarget>;
}): ComputeConformanceContext & { setUp(): Promise<void>; tearDown(): Promise<void> } {
  const runId = createRunId();
  const managedBy = `headroom-conformance-${runId}`;
  let target: ComputeConformanceTarget | undefined;
  let sequence = 0;

  const requireTarget = (): ComputeConformanceTarget => {
    if (!target) throw new Error('the conformance target was not created (beforeAll failed)');
    return target;
  };

  const destroyAll = async (provider: ComputeProviderV1, tags: Record<string, string>, known: Set<string>) => {
    const listed = await provider.listInstances({ tags });
    const ids = new Set([...known, ...listed.map((instance) => instance.instanceId)]);
    const failures: unknown[] = [];
    for (const instanceId of ids) {
      try {
        await provider.destroyInstance({ instanceId });
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) {
      throw new AggregateError(failures, `conformance cleanup failed to destroy ${failures.length} instance(s)`);
    }
  };

  const createScope = (): { scope: ComputeTestScope; created: Set<string> } => {
    const currentTarget = requireTarget();
    const provider = currentTarget.provider;
    sequence += 1;
    const scopePool = `${conformancePool}-${sequence}`;
    const scopeTags = { [HEADROOM_TAGS.managedBy]: managedBy, [HEADROOM_TAGS.pool]: scopePool };
    const created = new Set<string>();
    let createSequence = 0;
    const buildCreate: ComputeTestScope['buildCreate'] = (createOptions = {}) => {
      createSequence += 1;
      const pool = createOptions.pool ?? scopePool;
      const idempotencyKey = `hrc-${runId}-${sequence}-${createSequence}`;
      const tags = {
        ...createOptions.extraTags,
        [HEADROOM_TAGS.managedBy]: managedBy,
        [HEADROOM_TAGS.pool]: pool,
        [HEADROOM_TAGS.autoscale]: conformanceAutoscale,
        [HEADROOM_TAGS.intent]: idempotencyKey,
      };
      return {
        tags,
        options: {
          name: idempotencyKey,
          idempotencyKey,
          tags,
          shape: currentTarget.shape,
          startupScript: '#!/bin/sh\necho headroom-conformance\n',
          ...(createOptions.abortSignal ? { abortSignal: createOptions.abortSignal } : {}),
        },
      };
    };
    const scope: ComputeTestScope = {
      target: currentTarget,
      provider,
      scopeTags,
      buildCreate,
      async create(createOptions = {}) {
        const request = buildCreate(createOptions);
        const instance = await provider.createInstance(request.options);
        created.add(instance.instanceId);
        return { instance, request };
      },
      track(instanceId) {
        created.add(instanceId);
      },
      list(tags) {
        return provider.listInstances({ tags: { [HEADROOM_TAGS.managedBy]: managedBy, ...tags } });
      },
    };
    return { scope, created };
  };

  return {
    runner: options.runner,
    timeoutMs: options.timeoutMs,
    eventually: (check) => eventually(check, { timeoutMs: options.settleTimeoutMs }),
    async setUp() {
      target = await options.createTarget();
    },
    async tearDown() {
      if (!target) return;
      try {
        await destroyAll(target.provider, { [HEADROOM_TAGS.managedBy]: managedBy }, new Set());
      } finally {
        await target.cleanup?.();
      }
    },
    scopedTest(name, body) {
      options.runner.test(
        name,
        async () => {
          const { scope, created } = createScope();
          let bodyError: unknown;
          try {
            await body(scope);
          } catch (error) {
            bodyError = error ?? new Error('the test threw a nullish value');
          }
          let cleanupError: unknown;
          try {
            await destroyAll(scope.provider, scope.scopeTags, created);
          } catch (error) {
            cleanupError = error;
          }
          // A failing test keeps its own error; a clean test fails on a failed cleanup.
          if (bodyError !== undefined) throw bodyError;
          if (cleanupError !== undefined) throw cleanupError;
        },
        options.timeoutMs,
      );
    },
  };
}
