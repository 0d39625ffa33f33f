/** A quantity of compute: cores, memory in MiB and GPUs. */
export interface Resources {
  cores: number;
  memoryMb: number;
  gpus: number;
}

export type ResourceKey = keyof Resources;

export const RESOURCE_KEYS: readonly ResourceKey[] = ['cores', 'memoryMb', 'gpus'];

export function zeroResources(): Resources {
  return { cores: 0, memoryMb: 0, gpus: 0 };
}

export function addResources(a: Resources, b: Resources): Resources {
  return { cores: a.cores + b.cores, memoryMb: a.memoryMb + b.memoryMb, gpus: a.gpus + b.gpus };
}

export function subtractResources(a: Resources, b: Resources): Resources {
  return { cores: a.cores - b.cores, memoryMb: a.memoryMb - b.memoryMb, gpus: a.gpus - b.gpus };
}

export function scaleResources(a: Resources, factor: number): Resources {
  return { cores: a.cores * factor, memoryMb: a.memoryMb * factor, gpus: a.gpus * factor };
}

/** Formats `{cores, memoryMb, gpus}` as `4 cores, 8192 MiB, 0 GPUs` for reasons and logs. */
export function formatResources(r: Resources): string {
  return `${r.cores} cores, ${r.memoryMb} MiB, ${r.gpus} GPUs`;
}

/**
 * Largest amounts of one resource the engine accepts in a snapshot or a trace (one session or one
 * instance): beyond them a value is a mistake, and sums of such values overflow to Infinity.
 */
export const RESOURCE_LIMITS = { maxCores: 100_000, maxMemoryMb: 1_073_741_824, maxGpus: 10_000 } as const;
