import type { Clock, Timers } from '../clock/clock.js';

/**
 * A virtual clock: `now()` only moves when `advance`/`advanceTo` is called, and `sleep` resolves
 * when virtual time reaches its due instant.
 */
export interface FakeClock extends Clock, Timers {
  /**
   * Moves virtual time forward by `ms`, firing every sleep that falls due on the way in due order
   * (ties in the order they were scheduled). Time is set to each sleep's due instant before it
   * resolves, and pending microtasks and immediates run before the next one fires, so sleeps
   * scheduled by the woken code are fired too when they fall due within the window.
   */
  advance(ms: number): Promise<void>;
  /** Like `advance`, up to the absolute instant `targetMs` (never backwards). */
  advanceTo(targetMs: number): Promise<void>;
  /**
   * Fires the earliest pending sleep (and every other one due at the same instant), moving time to
   * its due instant. Resolves false when nothing is pending.
   */
  advanceToNextTimer(): Promise<boolean>;
  /** Due instant of the earliest pending sleep, or undefined. */
  nextTimerAtMs(): number | undefined;
  /** Number of sleeps not yet fired or aborted. */
  readonly pendingTimerCount: number;
}

interface PendingSleep {
  dueMs: number;
  sequence: number;
  cancelled: boolean;
  resolve: () => void;
}

/** Captured at load so that a runner's fake timers (vi.useFakeTimers) installed later cannot stall the clock. */
const realSetImmediate = globalThis.setImmediate;

/** Lets pending microtasks and immediates run. */
const settle = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

const before = (a: PendingSleep, b: PendingSleep): boolean =>
  a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.sequence < b.sequence);

/** A binary min-heap of sleeps by (due instant, scheduling order); aborted sleeps are dropped lazily. */
function createSleepQueue() {
  const heap: PendingSleep[] = [];
  let liveCount = 0;
  const swap = (i: number, j: number) => {
    const held = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = held;
  };
  const pop = (): void => {
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) return;
      swap(index, smallest);
      index = smallest;
    }
  };
  return {
    get size() {
      return liveCount;
    },
    push(sleep: PendingSleep): void {
      heap.push(sleep);
      liveCount += 1;
      let index = heap.length - 1;
      while (index > 0) {
        const parent = (index - 1) >> 1;
        if (!before(heap[index]!, heap[parent]!)) return;
        swap(index, parent);
        index = parent;
      }
    },
    cancel(sleep: PendingSleep): void {
      if (sleep.cancelled) return;
      sleep.cancelled = true;
      liveCount -= 1;
    },
    peek(): PendingSleep | undefined {
      while (heap.length > 0 && heap[0]!.cancelled) pop();
      return heap[0];
    },
    take(): PendingSleep | undefined {
      const first = this.peek();
      if (first) {
        pop();
        liveCount -= 1;
      }
      return first;
    },
  };
}

/** Creates a virtual clock starting at `startMs` (default 0). */
export function createFakeClock(options: { startMs?: number } = {}): FakeClock {
  let nowMs = options.startMs ?? 0;
  let sequence = 0;
  const queue = createSleepQueue();

  const fireNext = async (): Promise<void> => {
    const sleep = queue.take();
    if (!sleep) return;
    if (sleep.dueMs > nowMs) nowMs = sleep.dueMs;
    sleep.resolve();
    await settle();
  };

  const clock: FakeClock = {
    now: () => nowMs,
    sleep(ms, abortSignal) {
      return new Promise<void>((resolve, reject) => {
        if (abortSignal?.aborted) {
          reject(abortSignal.reason);
          return;
        }
        sequence += 1;
        const entry: PendingSleep = {
          dueMs: nowMs + Math.max(0, ms),
          sequence,
          cancelled: false,
          resolve: () => {
            abortSignal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          queue.cancel(entry);
          reject(abortSignal?.reason);
        };
        abortSignal?.addEventListener('abort', onAbort, { once: true });
        queue.push(entry);
      });
    },
    async advance(ms) {
      await clock.advanceTo(nowMs + ms);
    },
    async advanceTo(targetMs) {
      await settle();
      for (;;) {
        const next = queue.peek();
        if (!next || next.dueMs > targetMs) break;
        await fireNext();
      }
      if (targetMs > nowMs) nowMs = targetMs;
      await settle();
    },
    async advanceToNextTimer() {
      await settle();
      const next = queue.peek();
      if (!next) return false;
      const dueMs = next.dueMs;
      await fireNext();
      for (;;) {
        const sameInstant = queue.peek();
        if (!sameInstant || sameInstant.dueMs > dueMs) break;
        await fireNext();
      }
      return true;
    },
    nextTimerAtMs: () => queue.peek()?.dueMs,
    get pendingTimerCount() {
      return queue.size;
    },
  };
  return clock;
}
