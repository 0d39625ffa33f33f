import { RESOURCE_LIMITS } from '@headroom/core';
import { TraceError } from './trace-error.js';
import type { TraceSession } from './trace-session.js';

/**
 * What a session of a trace may be, after the time shift and size scaling: starts in 1970–2199,
 * lasts at most ten years, and reserves at most 100,000 cores, 1 PiB of memory and 10,000 GPUs.
 * Larger values are data errors, and would make a run hang or exhaust memory.
 */
export const TRACE_LIMITS = {
  earliestStartMs: 0,
  latestStartMs: Date.UTC(2200, 0, 1),
  maxDurationSeconds: 10 * 366 * 86_400,
  ...RESOURCE_LIMITS,
} as const;

/** A field of {@link TraceSession} that {@link TRACE_LIMITS} bounds. */
export type BoundedField = 'start' | 'duration' | 'cores' | 'memoryMb' | 'gpus';

/** The first field of `session` outside {@link TRACE_LIMITS}, with what was expected, or undefined. */
export function findOutOfBounds(session: TraceSession): { field: BoundedField; message: string } | undefined {
  const { startMs, durationMs, cores, memoryMb, gpus } = session;
  if (!(startMs >= TRACE_LIMITS.earliestStartMs && startMs < TRACE_LIMITS.latestStartMs)) {
    const when =
      Number.isFinite(startMs) && Math.abs(startMs) <= 8.64e15
        ? new Date(startMs).toISOString()
        : `${startMs / 1000} s after 1970-01-01`;
    return { field: 'start', message: `expected a start from 1970 to 2199, got ${when}` };
  }
  if (!(durationMs >= 0 && durationMs <= TRACE_LIMITS.maxDurationSeconds * 1000))
    return {
      field: 'duration',
      message: `expected a duration of 0 to ${TRACE_LIMITS.maxDurationSeconds} s (ten years), got ${durationMs / 1000} s`,
    };
  if (!(cores >= 0 && cores <= TRACE_LIMITS.maxCores))
    return { field: 'cores', message: `expected 0 to ${TRACE_LIMITS.maxCores} cores, got ${cores}` };
  if (!(memoryMb >= 0 && memoryMb <= TRACE_LIMITS.maxMemoryMb))
    return { field: 'memoryMb', message: `expected 0 to ${TRACE_LIMITS.maxMemoryMb} MiB, got ${memoryMb}` };
  if (!(gpus >= 0 && gpus <= TRACE_LIMITS.maxGpus))
    return { field: 'gpus', message: `expected 0 to ${TRACE_LIMITS.maxGpus} GPUs, got ${gpus}` };
  return undefined;
}

/**
 * Returns `session` when it is within {@link TRACE_LIMITS}.
 * @throws TraceError naming the file, line, and the column and field `columnOf` gives for the first field out of bounds
 */
export function checkTraceBounds(
  session: TraceSession,
  where: { file: string; line: number; columnOf: (field: BoundedField) => { column?: number; field: string } },
): TraceSession {
  const problem = findOutOfBounds(session);
  if (problem === undefined) return session;
  const { column, field } = where.columnOf(problem.field);
  throw new TraceError({
    file: where.file,
    line: where.line,
    ...(column !== undefined ? { column } : {}),
    field,
    message: problem.message,
  });
}
