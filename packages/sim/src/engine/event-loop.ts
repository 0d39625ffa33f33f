import type { TraceSession } from '../trace/trace-session.js';
import { arrive, handleEvent, refreshActivity } from './fleet-events.js';
import { sampleFleet } from './fleet-sample.js';
import type { SimulationContext } from './simulation-context.js';

/** The arrivals (the sorted trace, from `nextArrival` on) merged with the timed events of the context. */
export interface EventLoop {
  sessions: readonly TraceSession[];
  nextArrival: number;
  startMs: number;
  endMs: number;
  onProgress?: (progress: { simulatedMs: number; fraction: number }) => void;
}

/** Time of the next arrival or timed event, +∞ when none is left. */
export function nextEventMs(context: SimulationContext, loop: EventLoop): number {
  const arrivalMs =
    loop.nextArrival < loop.sessions.length ? loop.sessions[loop.nextArrival]!.startMs : Number.POSITIVE_INFINITY;
  return Math.min(context.events.peekTime(), arrivalMs);
}

/**
 * Processes every arrival and event at or before `untilMs` in time order (timed events before
 * arrivals at the same instant), sampling the fleet after the last one of each instant.
 */
export function processUntil(context: SimulationContext, loop: EventLoop, untilMs: number): void {
  const { sessions, startMs, endMs } = loop;
  for (;;) {
    const heapMs = context.events.peekTime();
    const arrivalMs =
      loop.nextArrival < sessions.length ? sessions[loop.nextArrival]!.startMs : Number.POSITIVE_INFINITY;
    const atMs = Math.min(heapMs, arrivalMs);
    if (atMs > untilMs) return;
    refreshActivity(context, atMs);
    if (heapMs <= arrivalMs) {
      handleEvent(context, context.events.pop()!, atMs);
    } else {
      context.eventCount++;
      arrive(context, sessions[loop.nextArrival++]!, atMs);
    }
    if (nextEventMs(context, loop) !== atMs) sampleFleet(context.recorder, context.fleet, atMs);
    if (loop.onProgress && context.eventCount % 8192 === 0) {
      loop.onProgress({
        simulatedMs: atMs - startMs,
        fraction: Math.min(1, (atMs - startMs) / Math.max(1, endMs - startMs)),
      });
    }
  }
}
