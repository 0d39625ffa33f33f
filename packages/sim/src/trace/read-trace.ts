import { type AzureTraceOptions, readAzureTrace } from './read-azure-trace.js';
import { readCsvTrace } from './read-csv-trace.js';
import { readLines } from './read-lines.js';
import { readSwfTrace, type SwfTraceOptions } from './read-swf-trace.js';
import type { SessionTrace, TraceOptions } from './trace-session.js';

export type TraceFormat = 'csv' | 'swf' | 'azure';

/**
 * Guesses a trace's format from its first non-blank line: `;` comments or a `job_id` header or
 * whitespace-separated numbers mean SWF, the Azure header means `azure`, anything else `csv`.
 */
export async function detectTraceFormat(path: string): Promise<TraceFormat> {
  for await (const line of readLines(path)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith(';') || trimmed.startsWith('job_id,submit_s')) return 'swf';
    if (trimmed.startsWith('arrival_bin_end_s,batch_id')) return 'azure';
    if (/^-?\d+(\s+-?[\d.]+){17}/.test(trimmed)) return 'swf';
    return 'csv';
  }
  return 'csv';
}

/** Reads a trace of any supported format (`auto` by default: see {@link detectTraceFormat}). */
export async function readTrace(
  options: TraceOptions &
    Omit<SwfTraceOptions, 'path'> &
    Omit<AzureTraceOptions, 'path'> & { path: string; format?: TraceFormat | 'auto' },
): Promise<SessionTrace> {
  const format =
    options.format === undefined || options.format === 'auto' ? await detectTraceFormat(options.path) : options.format;
  if (format === 'swf') return readSwfTrace(options);
  if (format === 'azure') return readAzureTrace(options);
  return readCsvTrace(options);
}
