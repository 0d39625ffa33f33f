import {
  HeadroomError,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';

export const DO_PROVIDER_ID = 'digitalocean';

/** The API's error body: `{ id: 'unprocessable_entity', message, request_id }`. */
export interface DoErrorBody {
  id?: string;
  message?: string;
  request_id?: string;
}

/** A non-2xx answer of the API, kept as the `cause` of the Headroom error it maps to. */
export class DoApiResponseError extends Error {
  readonly statusCode: number;
  readonly errorId: string | undefined;
  readonly requestId: string | undefined;

  constructor(options: { statusCode: number; body: DoErrorBody | undefined; operation: string }) {
    super(
      `${options.operation} answered ${options.statusCode}${options.body?.message ? `: ${options.body.message}` : ''}`,
    );
    this.name = 'DoApiResponseError';
    this.statusCode = options.statusCode;
    this.errorId = options.body?.id;
    this.requestId = options.body?.request_id;
  }
}

/** 422 messages that mean "no room for this size here right now". */
const capacityPatterns = [
  /size is not available/i,
  /region is not available/i,
  /not available in this region/i,
  /(out of|insufficient) capacity/i,
  /currently unavailable/i,
];

/** Messages that mean an account limit. */
const quotaPatterns = [/droplet limit/i, /exceed.*limit/i, /limit.*exceeded/i, /too many droplets/i];

/** 422 messages naming a setting. */
const fieldPatterns: readonly (readonly [RegExp, string])[] = [
  [/ssh[ _]?key/i, 'sshKeys'],
  [/\bvpc\b/i, 'vpcUuid'],
  [/user[ _]?data/i, 'startupScript'],
  [/\bimage\b/i, 'image'],
  [/\bsize\b/i, 'size'],
  [/\bregion\b/i, 'region'],
  [/\btag/i, 'tags'],
  [/firewall/i, 'firewallName'],
];

/** Whether an API error says a tag does not exist (the seed's "tag … does not exist" error). */
export function isDoMissingTagError(error: unknown): boolean {
  const cause = HeadroomError.isInstance(error) ? (error as Error).cause : error;
  return (
    cause instanceof DoApiResponseError &&
    (cause.statusCode === 404 || cause.statusCode === 422) &&
    /tag .* ?does not exist|tag not found/i.test(cause.message)
  );
}

/** Whether the error is a 404 of the API. */
export function isDoNotFound(error: unknown): boolean {
  const cause = HeadroomError.isInstance(error) ? (error as Error).cause : error;
  return cause instanceof DoApiResponseError && cause.statusCode === 404;
}

/** Maps one failed response to Headroom's error hierarchy; the response error is the `cause`. */
export function mapDoResponseError(options: {
  statusCode: number;
  body: DoErrorBody | undefined;
  operation: string;
}): HeadroomError {
  const providerId = DO_PROVIDER_ID;
  const cause = new DoApiResponseError(options);
  const { statusCode } = options;
  const apiMessage = options.body?.message ?? '';
  const message = `${options.operation} failed (${statusCode}${options.body?.id ? ` ${options.body.id}` : ''})${apiMessage ? `: ${apiMessage}` : ''}`;
  const code = options.body?.id;
  if (statusCode === 401) {
    return new InvalidProviderConfigError({ providerId, field: 'token', message, cause });
  }
  if (statusCode === 403) {
    if (quotaPatterns.some((pattern) => pattern.test(apiMessage))) {
      return new QuotaExceededError({ providerId, message, cause });
    }
    return new InvalidProviderConfigError({
      providerId,
      field: 'token',
      message: `${message} (the token lacks a scope; see the package README)`,
      cause,
    });
  }
  if (statusCode === 422 || statusCode === 400) {
    if (quotaPatterns.some((pattern) => pattern.test(apiMessage))) {
      return new QuotaExceededError({ providerId, message, cause });
    }
    if (capacityPatterns.some((pattern) => pattern.test(apiMessage))) {
      return new InsufficientCapacityError({ providerId, message, cause });
    }
    const field = fieldPatterns.find(([pattern]) => pattern.test(apiMessage))?.[1];
    return new InvalidProviderConfigError({ providerId, ...(field ? { field } : {}), message, cause });
  }
  return new ProviderApiError({ providerId, message, statusCode, ...(code ? { code } : {}), cause });
}

/** A network failure or timeout of one call: retryable. Abort reasons pass through unchanged. */
export function mapDoTransportError(options: {
  error: unknown;
  operation: string;
  abortSignal: AbortSignal | undefined;
}): unknown {
  const { error, operation, abortSignal } = options;
  if (HeadroomError.isInstance(error)) return error;
  if (abortSignal?.aborted) return abortSignal.reason ?? error;
  const name = (error as { name?: unknown } | null)?.name;
  const timedOut = name === 'TimeoutError';
  return new ProviderApiError({
    providerId: DO_PROVIDER_ID,
    message: `${operation} failed: ${timedOut ? 'the request timed out' : `network error (${(error as Error)?.message ?? String(error)})`}`,
    isRetryable: true,
    code: timedOut ? 'TimeoutError' : 'NetworkError',
    cause: error,
  });
}
