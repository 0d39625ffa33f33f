/** One recorded session: when it started, how long it lasted, and what it reserved. */
export interface TraceSession {
  /** Epoch milliseconds (UTC). */
  startMs: number;
  durationMs: number;
  cores: number;
  memoryMb: number;
  gpus: number;
  user?: string;
  pool?: string;
  workspace?: string;
  /** Deployment zone the request comes from (CSV `zone` column, or `arrivalZones` of the run). */
  zone?: string;
}

/** A trace ready to replay: sessions sorted by `startMs` (stable for equal starts). */
export interface SessionTrace {
  /** Where it came from (a file path or a label). */
  source: string;
  sessions: TraceSession[];
  /** IANA time zone the trace was recorded in, when the trace says so (SWF `TimeZoneString`). */
  timezone?: string;
  /** Rows read but not turned into sessions (e.g. SWF jobs with unknown run time), by reason. */
  skipped: Record<string, number>;
}

/** Options every reader accepts, applied in this order: parse, slice, shift, scale. */
export interface TraceOptions {
  /**
   * IANA time zone for timestamps without an offset (CSV ISO-8601 such as `2026-03-02T09:00`).
   * Defaults to UTC. Epoch seconds and timestamps with `Z` or an offset are absolute.
   */
  timezone?: string;
  /** Keep sessions starting at or after this instant (epoch ms; compared before the time shift). */
  fromMs?: number;
  /** Keep sessions starting before this instant (epoch ms; compared before the time shift). */
  toMs?: number;
  /** Multiply session sizes: one factor for all resources, or one per resource. Memory is rounded to whole MiB. */
  scaleSizes?: number | Partial<Record<'cores' | 'memoryMb' | 'gpus', number>>;
  /** Added to every start time. */
  timeShiftSeconds?: number;
}

/** Applies `fromMs`/`toMs` to a parsed session; `false` when the session is outside the slice. */
export function isInSlice(startMs: number, options: TraceOptions): boolean {
  if (options.fromMs !== undefined && startMs < options.fromMs) return false;
  if (options.toMs !== undefined && startMs >= options.toMs) return false;
  return true;
}

/** Applies `timeShiftSeconds` and `scaleSizes` in place. */
export function transformSession(session: TraceSession, options: TraceOptions): TraceSession {
  if (options.timeShiftSeconds) session.startMs += options.timeShiftSeconds * 1000;
  const scale = options.scaleSizes;
  if (scale !== undefined) {
    const factors = typeof scale === 'number' ? { cores: scale, memoryMb: scale, gpus: scale } : scale;
    if (factors.cores !== undefined) session.cores *= factors.cores;
    if (factors.memoryMb !== undefined) session.memoryMb = Math.round(session.memoryMb * factors.memoryMb);
    if (factors.gpus !== undefined) session.gpus *= factors.gpus;
  }
  return session;
}

/** Sorts by start time, keeping file order for equal starts. */
export function sortSessions(sessions: TraceSession[]): TraceSession[] {
  return sessions.sort((a, b) => a.startMs - b.startMs);
}
