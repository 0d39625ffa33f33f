import { access } from 'node:fs/promises';
import { readTrace, type SessionTrace, type TraceFormat, type TraceOptions } from '@headroom/sim';
import { UsageError } from '../usage-error.js';

/** How to read the trace: the path, its format (`auto` detects it) and the reader options. */
export interface TraceInput {
  path: string;
  format: TraceFormat | 'auto';
  options: TraceOptions;
}

/**
 * Reads a trace for `headroom simulate`.
 * @throws UsageError when the file cannot be read; TraceError (naming file:line:column) when a row is malformed.
 */
export async function loadTrace(input: TraceInput): Promise<SessionTrace> {
  try {
    await access(input.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--trace ${input.path}: cannot read (${code === 'ENOENT' ? 'no such file' : String(code)})`);
  }
  return readTrace({ path: input.path, format: input.format, ...input.options });
}
