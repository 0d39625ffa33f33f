import type { Timers } from '@headroom/core/provider';

/** An `@azure/core-lro` 3 poller (`@azure/arm-compute` 24). */
interface PollerLikeV3<Result> extends PromiseLike<Result> {
  readonly isDone: boolean;
  poll(options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  submitted(): Promise<void>;
  pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<Result>;
}

/** An `@azure/core-lro` 2 simple poller (`@azure/arm-network`, `begin*` methods). */
interface SimplePollerLikeV2<Result> {
  isDone(): boolean;
  poll(options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<Result>;
}

type AnyPoller<Result> = PollerLikeV3<Result> | SimplePollerLikeV2<Result>;

function isDone<Result>(poller: AnyPoller<Result>): boolean {
  return typeof poller.isDone === 'function' ? poller.isDone() : poller.isDone;
}

/**
 * Waits for a long-running operation with the SDK's own poller (it follows `Azure-AsyncOperation`
 * / `Location` and reads the final resource), sleeping `pollIntervalMs` between polls on the
 * injected timers. A failed or canceled operation rejects with the SDK's error.
 */
export async function waitForAzureOperation<Result>(options: {
  /** A core-lro 3 poller (not awaited: it is a thenable), or the promise of a core-lro 2 poller. */
  poller: PollerLikeV3<Result> | Promise<SimplePollerLikeV2<Result>>;
  timers: Timers;
  pollIntervalMs: number;
  abortSignal?: AbortSignal | undefined;
}): Promise<Result> {
  const { timers, pollIntervalMs, abortSignal } = options;
  // Awaiting a core-lro 3 poller would run its own polling loop on real timers: keep it as is.
  const poller: AnyPoller<Result> = 'submitted' in options.poller ? options.poller : await options.poller;
  if ('submitted' in poller) await poller.submitted();
  const pollOptions = abortSignal ? { abortSignal } : {};
  while (!isDone(poller)) {
    await timers.sleep(pollIntervalMs, abortSignal);
    await poller.poll(pollOptions);
  }
  // Done: this returns the final result or throws the operation's error without another wait.
  return poller.pollUntilDone(pollOptions);
}
