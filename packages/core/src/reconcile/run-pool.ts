/**
 * Runs `worker` over `items` with at most `concurrency` at once. When a worker throws, no further
 * item starts; the call waits for the running ones, then rethrows the first error.
 */
export async function runPool<T>(options: {
  items: readonly T[];
  concurrency: number;
  worker: (item: T) => Promise<void>;
}): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lanes = Array.from({ length: Math.max(1, Math.min(options.concurrency, options.items.length)) }, async () => {
    while (next < options.items.length && !failure) {
      const item = options.items[next]!;
      next += 1;
      try {
        await options.worker(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(lanes);
  if (failure) throw failure.error;
}
