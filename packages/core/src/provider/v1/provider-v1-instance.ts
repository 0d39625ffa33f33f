import type { Resources } from '../../model/resources.js';

/**
 * Provider-side state of an instance. Instances that are fully gone (terminated, deleted) are not
 * listed at all.
 */
export type ProviderInstanceState = 'pending' | 'running' | 'stopping' | 'failed';

/** An instance as the cloud reports it. */
export interface ProviderInstance {
  /** The cloud's own id (EC2 instance id, vSphere managed object id, ...). */
  instanceId: string;
  /** The deterministic name Headroom asked for. */
  name: string;
  state: ProviderInstanceState;
  /** Every tag/label/annotation the instance carries, including Headroom's `headroom-*` tags. */
  tags: Record<string, string>;
  /** Shape the instance was created with, when the provider knows it. */
  shape?: Resources;
  privateAddress?: string;
  publicAddress?: string;
  /** ISO-8601 creation instant when the provider reports it. */
  createdAt?: string;
}

export type { Resources };
