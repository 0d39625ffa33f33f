/** Options of `ComputeProviderV1.destroyInstance`. */
export interface DestroyInstanceOptionsV1 {
  instanceId: string;
  abortSignal?: AbortSignal;
}
