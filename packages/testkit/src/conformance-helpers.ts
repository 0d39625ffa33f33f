import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

/** A short random lowercase id that is valid in instance names, tag values and DNS labels of every cloud. */
export function createRunId(): string {
  return randomBytes(4).toString('hex');
}

/** Awaits the promise and returns what it rejected with; fails the test when it resolves. */
export async function captureRejection(promise: Promise<unknown>, description: string): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail(`${description}: expected the call to reject, but it resolved`);
}

/**
 * Whether `error` is the rejection of an aborted call: the signal's reason itself, an error named
 * `AbortError`, or an error that has one of those in its `cause` chain.
 */
export function isAbortError(error: unknown, abortSignal: AbortSignal): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current != null; depth++) {
    if (current === abortSignal.reason) return true;
    if (typeof current === 'object' && (current as { name?: unknown }).name === 'AbortError') return true;
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return false;
}

/** Describes an unknown thrown value for an assertion message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Retries `check` until it stops throwing, for clouds whose listings are eventually consistent.
 * Bounded: gives up after `timeoutMs` and rethrows the last failure.
 */
export async function eventually<T>(
  check: () => Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
) {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() + intervalMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
