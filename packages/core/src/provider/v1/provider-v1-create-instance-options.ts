import type { Resources } from '../../model/resources.js';

/** Options of `ComputeProviderV1.createInstance`. */
export interface CreateInstanceOptionsV1 {
  /** Deterministic instance name chosen by the reconciler. */
  name: string;
  /**
   * Unique per create intent. Two calls with the same key create at most one instance (the second
   * returns the first's instance), also after a crash between the call and its response.
   */
  idempotencyKey: string;
  /** Tags to put on the instance and its volumes; always includes the `headroom-*` tags. */
  tags: Record<string, string>;
  /** Capacity Headroom counts the instance as (the autoscale config's agent shape, when set). */
  shape: Resources;
  /** Rendered startup script (user data, cloud-init, guestinfo ...). */
  startupScript?: string;
  abortSignal?: AbortSignal;
}
