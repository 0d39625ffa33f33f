import { HeadroomError } from './headroom-error.js';

const name = 'ProviderApiError';
const marker = `headroom.error.${name}`;
const symbol = Symbol.for(marker);

/** Whether a status code is worth retrying: 408, 409, 429 and 5xx. */
export function isRetryableStatusCode(statusCode: number | undefined): boolean {
  return statusCode != null && (statusCode === 408 || statusCode === 409 || statusCode === 429 || statusCode >= 500);
}

/**
 * A provider API call failed. `isRetryable` defaults from the status code (408, 409, 429, 5xx);
 * throttling and timeouts are retryable, and the reconciler backs off with jitter before retrying.
 */
export class ProviderApiError extends HeadroomError {
  protected readonly [symbol] = true;
  readonly providerId: string;
  readonly statusCode: number | undefined;
  readonly isRetryable: boolean;
  /** The provider's own error code, e.g. `RequestLimitExceeded`. */
  readonly code: string | undefined;

  constructor(options: {
    providerId: string;
    message: string;
    statusCode?: number;
    code?: string;
    isRetryable?: boolean;
    cause?: unknown;
  }) {
    super({ name, message: `[${options.providerId}] ${options.message}`, cause: options.cause });
    this.providerId = options.providerId;
    this.statusCode = options.statusCode;
    this.code = options.code;
    this.isRetryable = options.isRetryable ?? isRetryableStatusCode(options.statusCode);
  }

  static override isInstance(error: unknown): error is ProviderApiError {
    return HeadroomError.hasMarker(error, marker);
  }
}
