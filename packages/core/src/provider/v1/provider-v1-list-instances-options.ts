/** Options of `ComputeProviderV1.listInstances`. */
export interface ListInstancesOptionsV1 {
  /** Every listed instance carries all of these tags with these values. */
  tags: Record<string, string>;
  abortSignal?: AbortSignal;
}
