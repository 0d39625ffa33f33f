import type { CreateInstanceOptionsV1 } from './provider-v1-create-instance-options.js';
import type { DestroyInstanceOptionsV1 } from './provider-v1-destroy-instance-options.js';
import type { ProviderInstance } from './provider-v1-instance.js';
import type { ListInstancesOptionsV1 } from './provider-v1-list-instances-options.js';

/**
 * The compute contract every cloud adapter implements. Treat any change as breaking: a v2 goes
 * beside this file.
 *
 * Errors: adapters throw only `InsufficientCapacityError`, `QuotaExceededError`,
 * `ProviderApiError` and `InvalidProviderConfigError` (with the SDK error as `cause`).
 */
export interface ComputeProviderV1 {
  readonly specificationVersion: 'v1';
  /** Adapter id: `aws`, `vsphere`, `fake`, ... */
  readonly providerId: string;

  /**
   * Starts one instance. Idempotent by `idempotencyKey`: a repeated call returns the instance the
   * first call started. Resolves once the cloud accepted the request (the instance may still be
   * `pending`).
   * @throws InsufficientCapacityError | QuotaExceededError | ProviderApiError | InvalidProviderConfigError
   */
  createInstance(options: CreateInstanceOptionsV1): Promise<ProviderInstance>;

  /**
   * Destroys one instance. An instance that is already gone counts as success.
   * @throws ProviderApiError
   */
  destroyInstance(options: DestroyInstanceOptionsV1): Promise<void>;

  /**
   * Lists live instances that carry all of the given tags (all pages).
   * @throws ProviderApiError
   */
  listInstances(options: ListInstancesOptionsV1): Promise<ProviderInstance[]>;

  /**
   * Reads the connection secret of a server (e.g. a Windows administrator password), when the
   * adapter supports it. Implementation optional. The value must never be logged.
   */
  retrieveConnectionSecret?(options: { instanceId: string; abortSignal?: AbortSignal }): Promise<string | undefined>;

  /** Releases clients and sockets. Implementation optional. */
  close?(): Promise<void>;
}
