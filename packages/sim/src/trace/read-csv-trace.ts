import { isKnownTimezone, parseTimestamp } from './parse-timestamp.js';
import { readLines } from './read-lines.js';
import { splitCsvLine } from './split-csv-line.js';
import { type BoundedField, checkTraceBounds } from './trace-bounds.js';
import { TraceError } from './trace-error.js';
import {
  isInSlice,
  type SessionTrace,
  sortSessions,
  type TraceOptions,
  type TraceSession,
  transformSession,
} from './trace-session.js';

const knownColumns = [
  'start',
  'duration_s',
  'end',
  'cores',
  'memory_mb',
  'gpus',
  'user',
  'pool',
  'workspace',
  'zone',
] as const;
type KnownColumn = (typeof knownColumns)[number];

/**
 * Reads the Headroom session CSV format (see packages/sim/README.md): a header row naming the
 * columns `start`, `duration_s` or `end`, `cores`, `memory_mb`, optionally `gpus` (default 0),
 * `user`, `pool`, `workspace`, `zone`, in any order; other columns are ignored. Blank lines and lines
 * starting with `#` are skipped. Gzip is detected by magic bytes.
 *
 * @throws TraceError naming the file, line and column of the first problem.
 */
export async function readCsvTrace(options: TraceOptions & { path: string }): Promise<SessionTrace> {
  const { path } = options;
  const timezone = options.timezone ?? 'UTC';
  if (!isKnownTimezone(timezone)) {
    throw new TraceError({ file: path, field: 'timezone', message: `unknown time zone "${timezone}"` });
  }
  const sessions: TraceSession[] = [];
  let columns: Partial<Record<KnownColumn, number>> | undefined;
  let fieldCount = 0;
  let lineNumber = 0;
  for await (const rawLine of readLines(path)) {
    lineNumber++;
    const line = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields = splitCsvLine(line);
    if (fields === undefined) {
      throw new TraceError({ file: path, line: lineNumber, message: 'unclosed quoted field' });
    }
    if (columns === undefined) {
      columns = parseHeader({ fields, path, lineNumber });
      fieldCount = fields.length;
      continue;
    }
    if (fields.length < fieldCount) {
      throw new TraceError({
        file: path,
        line: lineNumber,
        column: fields.length + 1,
        message: `expected ${fieldCount} fields as in the header, got ${fields.length}`,
      });
    }
    const session = parseRow({ fields, columns, path, lineNumber, timezone });
    if (!isInSlice(session.startMs, options)) continue;
    sessions.push(
      checkTraceBounds(transformSession(session, options), {
        file: path,
        line: lineNumber,
        columnOf: (field) => csvColumnOf(columns!, field, fields),
      }),
    );
  }
  if (columns === undefined) {
    throw new TraceError({
      file: path,
      line: lineNumber + 1,
      message: 'missing header row (start,duration_s,cores,memory_mb,…)',
    });
  }
  return { source: path, sessions: sortSessions(sessions), skipped: {} };
}

/** The CSV column a bounded session field came from (`duration`: `duration_s`, else `end`). */
function csvColumnOf(
  columns: Partial<Record<KnownColumn, number>>,
  field: BoundedField,
  fields: string[],
): { column?: number; field: string } {
  const durationIndex = columns.duration_s;
  const durationFromEnd = durationIndex === undefined || fields[durationIndex]!.trim() === '';
  const name: KnownColumn =
    field === 'start'
      ? 'start'
      : field === 'duration'
        ? durationFromEnd && columns.end !== undefined
          ? 'end'
          : 'duration_s'
        : field === 'memoryMb'
          ? 'memory_mb'
          : field;
  const index = columns[name];
  return { ...(index !== undefined ? { column: index + 1 } : {}), field: name };
}

function parseHeader(options: {
  fields: string[];
  path: string;
  lineNumber: number;
}): Partial<Record<KnownColumn, number>> {
  const columns: Partial<Record<KnownColumn, number>> = {};
  options.fields.forEach((field, index) => {
    const name = field.trim().toLowerCase() as KnownColumn;
    if ((knownColumns as readonly string[]).includes(name)) {
      if (columns[name] !== undefined) {
        throw new TraceError({
          file: options.path,
          line: options.lineNumber,
          column: index + 1,
          message: `column "${name}" appears twice in the header`,
        });
      }
      columns[name] = index;
    }
  });
  const missing: string[] = [];
  if (columns.start === undefined) missing.push('start');
  if (columns.duration_s === undefined && columns.end === undefined) missing.push('duration_s or end');
  if (columns.cores === undefined) missing.push('cores');
  if (columns.memory_mb === undefined) missing.push('memory_mb');
  if (missing.length > 0) {
    throw new TraceError({
      file: options.path,
      line: options.lineNumber,
      message: `header row lacks ${missing.join(', ')} (got "${options.fields.join(',')}")`,
    });
  }
  return columns;
}

function parseRow(options: {
  fields: string[];
  columns: Partial<Record<KnownColumn, number>>;
  path: string;
  lineNumber: number;
  timezone: string;
}): TraceSession {
  const { fields, columns, path, lineNumber, timezone } = options;
  const fail = (column: KnownColumn, message: string): never => {
    throw new TraceError({ file: path, line: lineNumber, column: columns[column]! + 1, field: column, message });
  };
  const text = (column: KnownColumn): string | undefined => {
    const index = columns[column];
    if (index === undefined) return undefined;
    const value = fields[index]!.trim();
    return value === '' ? undefined : value;
  };
  const timestamp = (column: 'start' | 'end'): number => {
    const value = text(column);
    if (value === undefined)
      return fail(column, 'expected a timestamp (ISO-8601 or epoch seconds), got an empty field');
    const parsed = parseTimestamp(value, timezone);
    if (parsed === undefined) return fail(column, `expected a timestamp (ISO-8601 or epoch seconds), got "${value}"`);
    return parsed;
  };
  const amount = (column: 'cores' | 'memory_mb' | 'gpus' | 'duration_s', fallback?: number): number => {
    const value = text(column);
    if (value === undefined) {
      if (fallback !== undefined) return fallback;
      return fail(column, 'expected a number ≥ 0, got an empty field');
    }
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) return fail(column, `expected a number ≥ 0, got "${value}"`);
    return parsed;
  };
  const startMs = timestamp('start');
  let durationMs: number;
  if (columns.duration_s !== undefined && (text('duration_s') !== undefined || columns.end === undefined)) {
    durationMs = amount('duration_s') * 1000;
  } else {
    const endMs = timestamp('end');
    if (endMs < startMs) fail('end', `ends before it starts ("${text('end')}" < "${text('start')}")`);
    durationMs = endMs - startMs;
  }
  const session: TraceSession = {
    startMs,
    durationMs,
    cores: amount('cores'),
    memoryMb: amount('memory_mb'),
    gpus: amount('gpus', 0),
  };
  const user = text('user');
  const pool = text('pool');
  const workspace = text('workspace');
  if (user !== undefined) session.user = user;
  if (pool !== undefined) session.pool = pool;
  if (workspace !== undefined) session.workspace = workspace;
  const zone = text('zone');
  if (zone !== undefined) session.zone = zone;
  return session;
}
