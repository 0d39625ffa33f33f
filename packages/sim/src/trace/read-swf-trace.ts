import { access } from 'node:fs/promises';
import { readLines } from './read-lines.js';
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

/** The 18 fields of the Standard Workload Format, in order. */
export const SWF_FIELDS = [
  'job_id',
  'submit_s',
  'wait_s',
  'run_s',
  'alloc_procs',
  'avg_cpu_s',
  'used_mem_kb',
  'req_procs',
  'req_time_s',
  'req_mem_kb',
  'status',
  'user_id',
  'group_id',
  'app_id',
  'queue_id',
  'partition_id',
  'preceding_job',
  'think_time_s',
] as const;

export interface SwfTraceOptions extends TraceOptions {
  path: string;
  /**
   * Epoch seconds that `submit_s` counts from. Defaults to the log's `UnixStartTime` header (in the
   * file, or for the CSV variant in the sibling `<name>.swf-header.txt`).
   */
  unixStartTimeSeconds?: number;
  /** Cores of a session per SWF processor. Defaults to 1. */
  coresPerProcessor?: number;
  /** MiB per processor when the log records no memory (`used_mem_kb` and `req_mem_kb` are -1). Defaults to 0. */
  memoryMbPerProcessor?: number;
}

/**
 * Reads a Parallel Workloads Archive log: native SWF (whitespace-separated, `;` header comments
 * with `UnixStartTime` and `TimeZoneString`) or its CSV variant (comma-separated with a
 * `job_id,submit_s,…` header row). A job becomes a session starting at submit + wait, lasting
 * `run_s`, sized `alloc_procs` (else `req_procs`) × `coresPerProcessor`; memory from `used_mem_kb`
 * (else `req_mem_kb`) per processor; `user_id` becomes `user` and `app_id` becomes `workspace`.
 * Jobs with unknown run time or size are counted in `skipped`.
 *
 * @throws TraceError naming the file, line and field number of the first malformed row.
 */
export async function readSwfTrace(options: SwfTraceOptions): Promise<SessionTrace> {
  const { path } = options;
  const header: Record<string, string> = {};
  const sibling = siblingHeaderPath(path);
  if (sibling !== undefined && (await exists(sibling))) {
    for await (const line of readLines(sibling)) parseHeaderComment(line, header);
  }
  const coresPerProcessor = options.coresPerProcessor ?? 1;
  const memoryMbPerProcessor = options.memoryMbPerProcessor ?? 0;
  const rows: number[][] = [];
  const rowLines: number[] = [];
  const attributes: { user?: string; workspace?: string }[] = [];
  const skipped: Record<string, number> = {};
  let lineNumber = 0;
  let sawCsvHeader = false;
  for await (const line of readLines(path)) {
    lineNumber++;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith(';')) {
      parseHeaderComment(trimmed, header);
      continue;
    }
    if (!sawCsvHeader && trimmed.startsWith('job_id')) {
      sawCsvHeader = true;
      continue;
    }
    const fields = trimmed.split(trimmed.includes(',') ? ',' : /\s+/);
    if (fields.length < SWF_FIELDS.length) {
      throw new TraceError({
        file: path,
        line: lineNumber,
        column: fields.length + 1,
        message: `expected ${SWF_FIELDS.length} SWF fields, got ${fields.length}`,
      });
    }
    const values = new Array<number>(SWF_FIELDS.length);
    for (let index = 0; index < SWF_FIELDS.length; index++) {
      const value = Number(fields[index]);
      if (fields[index] === '' || !Number.isFinite(value)) {
        throw new TraceError({
          file: path,
          line: lineNumber,
          column: index + 1,
          field: SWF_FIELDS[index],
          message: `expected a number, got "${fields[index]}"`,
        });
      }
      values[index] = value;
    }
    rows.push(values);
    rowLines.push(lineNumber);
    const userId = values[11]!;
    const appId = values[13]!;
    attributes.push({
      ...(userId >= 0 ? { user: String(userId) } : {}),
      ...(appId >= 0 ? { workspace: String(appId) } : {}),
    });
  }
  const unixStartTimeSeconds =
    options.unixStartTimeSeconds ?? (header.UnixStartTime !== undefined ? Number(header.UnixStartTime) : undefined);
  if (unixStartTimeSeconds === undefined || !Number.isFinite(unixStartTimeSeconds)) {
    throw new TraceError({
      file: path,
      field: 'UnixStartTime',
      message: 'the log has no "; UnixStartTime:" header (nor a sibling .swf-header.txt); pass unixStartTimeSeconds',
    });
  }
  const sessions: TraceSession[] = [];
  rows.forEach((values, index) => {
    const submit = values[1]!;
    const wait = values[2]!;
    const run = values[3]!;
    const processors = values[4]! >= 0 ? values[4]! : values[7]!;
    if (run < 0) {
      skipped['unknown run time'] = (skipped['unknown run time'] ?? 0) + 1;
      return;
    }
    if (processors <= 0) {
      skipped['unknown size'] = (skipped['unknown size'] ?? 0) + 1;
      return;
    }
    const memoryKbPerProcessor = values[6]! >= 0 ? values[6]! : values[9]!;
    const startMs = (unixStartTimeSeconds + submit + Math.max(wait, 0)) * 1000;
    if (!isInSlice(startMs, options)) return;
    const session: TraceSession = {
      startMs,
      durationMs: run * 1000,
      cores: processors * coresPerProcessor,
      memoryMb: Math.round(
        memoryKbPerProcessor >= 0 ? (processors * memoryKbPerProcessor) / 1024 : processors * memoryMbPerProcessor,
      ),
      gpus: 0,
      ...attributes[index],
    };
    sessions.push(
      checkTraceBounds(transformSession(session, options), {
        file: path,
        line: rowLines[index]!,
        columnOf: (field) => swfColumnOf(field, values),
      }),
    );
  });
  const timezone = header.TimeZoneString?.trim();
  return {
    source: path,
    sessions: sortSessions(sessions),
    skipped,
    ...(timezone ? { timezone } : {}),
  };
}

/** The SWF field (1-based column and name) a bounded session field came from. */
function swfColumnOf(field: BoundedField, values: number[]): { column: number; field: string } {
  const index =
    field === 'start'
      ? 1
      : field === 'duration'
        ? 3
        : field === 'memoryMb'
          ? values[6]! >= 0
            ? 6
            : 9
          : values[4]! >= 0
            ? 4
            : 7;
  return { column: index + 1, field: SWF_FIELDS[index]! };
}

function parseHeaderComment(line: string, header: Record<string, string>): void {
  const match = /^;\s*([A-Za-z]+)\s*:\s*(.*)$/.exec(line.trim());
  if (match && header[match[1]!] === undefined) header[match[1]!] = match[2]!.trim();
}

function siblingHeaderPath(path: string): string | undefined {
  const match = /^(.*)\.csv(\.gz)?$/.exec(path);
  return match ? `${match[1]}.swf-header.txt` : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
