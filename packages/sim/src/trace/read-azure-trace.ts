import { createRandom } from '../random.js';
import { readLines } from './read-lines.js';
import { checkTraceBounds } from './trace-bounds.js';
import { TraceError } from './trace-error.js';
import {
  isInSlice,
  type SessionTrace,
  sortSessions,
  type TraceOptions,
  type TraceSession,
  transformSession,
} from './trace-session.js';

const azureColumns = [
  'arrival_bin_end_s',
  'batch_id',
  'vcpus',
  'memory_gb',
  'duration_bin',
  'duration_min_s',
  'duration_max_s',
  'censored',
] as const;

/** Trace time 0 of the Azure 2017 trace by default: Saturday 2017-01-07 00:00 UTC (the trace's days 0–1 look like a weekend; the real date is not published). */
export const AZURE_DEFAULT_ORIGIN_MS = Date.UTC(2017, 0, 7);

export interface AzureTraceOptions extends TraceOptions {
  path: string;
  /** Epoch ms that trace time 0 maps to. Defaults to {@link AZURE_DEFAULT_ORIGIN_MS}. */
  originMs?: number;
  /** Where in its 5-minute bin a VM arrives: at the bin end, or uniformly inside it (one draw per batch). Defaults to `uniform`. */
  arrivalInBin?: 'uniform' | 'end';
  /** Lifetime inside a binned range: uniform, or its lower bound. Defaults to `uniform`. Censored VMs use the time they had run (a lower bound). */
  lifetimeInBin?: 'uniform' | 'lower';
  /** Seed for the draws above. Defaults to 1. */
  seed?: number;
  /** Keep only batches this returns true for (e.g. a deterministic 1-in-10 sample). */
  batchFilter?: (batchId: number) => boolean;
}

/**
 * Reads `azure-vm-2017/vm_arrivals.csv.gz` (AzurePublicDatasetV1, CC-BY 4.0). Only VMs with a
 * lifetime are kept (the last ~9.2 days, 669 k VMs); the others are counted in `skipped`.
 * `vcpus` becomes cores and `memory_gb` × 1024 MiB. Deterministic for a given seed.
 *
 * @throws TraceError naming the file, line and column of the first malformed row.
 */
export async function readAzureTrace(options: AzureTraceOptions): Promise<SessionTrace> {
  const { path } = options;
  const originMs = options.originMs ?? AZURE_DEFAULT_ORIGIN_MS;
  const arrivalRandom = createRandom(options.seed ?? 1);
  const lifetimeRandom = createRandom((options.seed ?? 1) + 0x5bd1e995);
  const arrivalUniform = (options.arrivalInBin ?? 'uniform') === 'uniform';
  const lifetimeUniform = (options.lifetimeInBin ?? 'uniform') === 'uniform';
  const sessions: TraceSession[] = [];
  const skipped: Record<string, number> = {};
  let lineNumber = 0;
  let lastBatchId = -1;
  let batchOffsetMs = 0;
  for await (const line of readLines(path)) {
    lineNumber++;
    if (lineNumber === 1) {
      if (!line.startsWith('arrival_bin_end_s,batch_id,vcpus,memory_gb')) {
        throw new TraceError({ file: path, line: 1, message: `expected the header "${azureColumns.join(',')}"` });
      }
      continue;
    }
    if (line === '') continue;
    const fields = line.split(',');
    if (fields.length < azureColumns.length) {
      throw new TraceError({
        file: path,
        line: lineNumber,
        column: fields.length + 1,
        message: `expected ${azureColumns.length} fields, got ${fields.length}`,
      });
    }
    const number = (index: number, optional: boolean): number | undefined => {
      const text = fields[index]!;
      if (text === '' && optional) return undefined;
      const value = Number(text);
      if (text === '' || !Number.isFinite(value) || value < 0) {
        throw new TraceError({
          file: path,
          line: lineNumber,
          column: index + 1,
          field: azureColumns[index],
          message: `expected a number ≥ 0, got "${text}"`,
        });
      }
      return value;
    };
    const arrivalBinEndSeconds = number(0, false)!;
    const batchId = number(1, false)!;
    const cores = number(2, false)!;
    const memoryGb = number(3, false)!;
    const durationMinSeconds = number(5, true);
    const durationMaxSeconds = number(6, true);
    const censored = fields[7] === '1';
    if (batchId !== lastBatchId) {
      lastBatchId = batchId;
      batchOffsetMs = arrivalUniform ? Math.floor(arrivalRandom.next() * 300) * 1000 : 0;
    }
    if (durationMinSeconds === undefined) {
      skipped['no lifetime'] = (skipped['no lifetime'] ?? 0) + 1;
      continue;
    }
    if (options.batchFilter && !options.batchFilter(batchId)) continue;
    let durationSeconds = durationMinSeconds;
    if (!censored && lifetimeUniform && durationMaxSeconds !== undefined && durationMaxSeconds > durationMinSeconds) {
      durationSeconds = durationMinSeconds + lifetimeRandom.next() * (durationMaxSeconds - durationMinSeconds);
    }
    const startMs = originMs + arrivalBinEndSeconds * 1000 - 300_000 + (arrivalUniform ? batchOffsetMs : 300_000);
    if (!isInSlice(startMs, options)) continue;
    const session = transformSession(
      {
        startMs,
        durationMs: Math.round(durationSeconds * 1000),
        cores,
        memoryMb: Math.round(memoryGb * 1024),
        gpus: 0,
      },
      options,
    );
    sessions.push(
      checkTraceBounds(session, {
        file: path,
        line: lineNumber,
        columnOf: (field) => {
          const index = { start: 0, duration: 5, cores: 2, memoryMb: 3, gpus: 2 }[field];
          return { column: index + 1, field: azureColumns[index]! };
        },
      }),
    );
  }
  return { source: path, sessions: sortSessions(sessions), skipped };
}
