import { HeadroomError } from '@headroom/core';

const name = 'TraceError';
const marker = `headroom.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A trace file could not be read. The message starts with `file:line:column:` (line and column
 * 1-based; the column is the field number in the row), then the field and the problem.
 */
export class TraceError extends HeadroomError {
  protected readonly [symbol] = true;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly field?: string;

  constructor(options: {
    file: string;
    line?: number;
    column?: number;
    field?: string;
    message: string;
    cause?: unknown;
  }) {
    const location = [options.file, options.line, options.column].filter((part) => part !== undefined).join(':');
    super({
      name,
      message: `${location}: ${options.field ? `${options.field}: ` : ''}${options.message}`,
      cause: options.cause,
    });
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
    this.field = options.field;
  }

  static override isInstance(error: unknown): error is TraceError {
    return HeadroomError.hasMarker(error, marker);
  }
}
