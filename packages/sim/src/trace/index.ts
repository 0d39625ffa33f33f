export { AZURE_DEFAULT_ORIGIN_MS, type AzureTraceOptions, readAzureTrace } from './read-azure-trace.js';
export { readCsvTrace } from './read-csv-trace.js';
export { isGzipFile, readLines } from './read-lines.js';
export { readSwfTrace, SWF_FIELDS, type SwfTraceOptions } from './read-swf-trace.js';
export { detectTraceFormat, readTrace, type TraceFormat } from './read-trace.js';
export { findOutOfBounds, TRACE_LIMITS } from './trace-bounds.js';
export { TraceError } from './trace-error.js';
export type { SessionTrace, TraceOptions, TraceSession } from './trace-session.js';
