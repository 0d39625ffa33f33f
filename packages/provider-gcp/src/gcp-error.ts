import {
  HeadroomError,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import type { GcpOperation } from './gcp-client.js';

export const GCP_PROVIDER_ID = 'gcp';

/** Codes (operation error codes, `errors[].reason`, ErrorInfo reasons) meaning "no capacity in the zone". */
const capacityCodes = new Set([
  'ZONE_RESOURCE_POOL_EXHAUSTED',
  'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS',
  'REGION_RESOURCE_POOL_EXHAUSTED',
  'RESOURCE_POOL_EXHAUSTED',
]);

const quotaCodes = new Set(['QUOTA_EXCEEDED', 'quotaExceeded', 'limitExceeded']);

const retryableCodes = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'RATE_LIMIT_EXCEEDED',
  'RESOURCE_OPERATION_RATE_EXCEEDED',
  'backendError',
  'internalError',
  'INTERNAL_ERROR',
  'resourceNotReady',
  'RESOURCE_NOT_READY',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** gRPC status codes (google-gax) → HTTP status codes. */
const httpStatusByRpcCode: Readonly<Record<number, number>> = {
  1: 499,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};

/** Request member or message words → the setting they point at. Checked in order. */
const fieldByMessage: readonly (readonly [RegExp, string])[] = [
  [/kmsKeyName|cryptoKey|encryption key|diskEncryptionKey/i, 'customerManagedEncryptionKey'],
  [/acceleratorType|guestAccelerator|accelerator/i, 'guestAccelerators'],
  [/subnetwork/i, 'subnetwork'],
  [/\bnetworks?\b|\.network\b/i, 'network'],
  [/machineType|machine type/i, 'machineType'],
  [/diskType|disk type/i, 'diskType'],
  [/diskSizeGb|disk size/i, 'bootVolumeSizeGb'],
  [/sourceImage|\bimages?\b/i, 'image'],
  [/serviceAccount|service account/i, 'serviceAccount'],
  [/tags\.items|network tag/i, 'networkTags'],
  [/\bmetadata\b/i, 'metadata'],
  [/\blabels?\b/i, 'labels'],
];

/** What a Google API error says, whichever layer produced it. */
export interface GcpErrorFacts {
  statusCode: number | undefined;
  /** Operation error codes, `errors[].reason` and ErrorInfo reasons. */
  codes: string[];
  message: string;
}

interface LooseError {
  status?: unknown;
  code?: unknown;
  reason?: unknown;
  message?: unknown;
  response?: { status?: unknown };
  errors?: unknown;
}

interface GoogleErrorBody {
  error?: {
    code?: unknown;
    message?: unknown;
    status?: unknown;
    errors?: { reason?: unknown; message?: unknown }[];
    details?: { reason?: unknown }[];
  };
}

function parseErrorBody(text: string): GoogleErrorBody['error'] | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(text) as GoogleErrorBody;
    return parsed && typeof parsed === 'object' ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

function statusCodeOf(error: LooseError): number | undefined {
  if (typeof error.status === 'number') return error.status;
  if (typeof error.response?.status === 'number') return error.response.status;
  if (typeof error.code === 'number') return error.code >= 100 ? error.code : httpStatusByRpcCode[error.code];
  return undefined;
}

/** Reads the status, codes and message of an SDK error (GaxiosError, GoogleError, ApiError, Node errors). */
export function readGcpErrorFacts(error: unknown): GcpErrorFacts {
  if (error === null || typeof error !== 'object') return { statusCode: undefined, codes: [], message: String(error) };
  const loose = error as LooseError;
  const rawMessage = typeof loose.message === 'string' ? loose.message : '';
  const body = parseErrorBody(rawMessage);
  const codes: string[] = [];
  const add = (value: unknown) => {
    if (typeof value === 'string' && value !== '') codes.push(value);
  };
  add(loose.reason);
  if (typeof loose.code === 'string') add(loose.code);
  for (const item of Array.isArray(loose.errors) ? (loose.errors as { reason?: unknown }[]) : []) add(item?.reason);
  for (const item of body?.errors ?? []) add(item.reason);
  for (const item of body?.details ?? []) add(item.reason);
  add(body?.status);
  const statusCode = typeof body?.code === 'number' ? body.code : statusCodeOf(loose);
  const message = typeof body?.message === 'string' ? body.message : rawMessage || 'request failed';
  return { statusCode, codes, message: message.length > 500 ? `${message.slice(0, 500)}…` : message };
}

/** Whether the error is the rejection of an aborted call (passed through unchanged). */
export function isGcpAbortError(error: unknown, abortSignal: AbortSignal | undefined): boolean {
  if (abortSignal?.aborted && error === abortSignal.reason) return true;
  return error != null && typeof error === 'object' && (error as { name?: unknown }).name === 'AbortError';
}

/** The setting whose configured value an error message quotes. */
function findQuotedField(
  message: string,
  fieldValues: Readonly<Record<string, string | undefined>>,
): string | undefined {
  for (const [field, value] of Object.entries(fieldValues)) {
    if (value && message.includes(value)) return field;
  }
  return undefined;
}

/**
 * Maps a Google API failure to Headroom's errors: capacity, quota, retryable API errors (throttling,
 * 5xx, network) and config errors naming the setting (bad image, network, machine type, ...).
 */
export function toGcpError(options: {
  operation: string;
  facts: GcpErrorFacts;
  cause: unknown;
  /** Configured values by setting name, to name the setting a message quotes. */
  fieldValues?: Readonly<Record<string, string | undefined>>;
}): HeadroomError {
  const { operation, facts, cause } = options;
  const { statusCode, codes } = facts;
  const code = codes[0];
  const message = `${operation} failed: ${facts.message}`;
  const providerId = GCP_PROVIDER_ID;
  if (codes.some((candidate) => capacityCodes.has(candidate))) {
    return new InsufficientCapacityError({ providerId, message, cause });
  }
  if (codes.some((candidate) => quotaCodes.has(candidate))) {
    return new QuotaExceededError({ providerId, message, cause });
  }
  const retryable =
    codes.some((candidate) => retryableCodes.has(candidate)) ||
    statusCode === 429 ||
    statusCode === 408 ||
    (statusCode !== undefined && statusCode >= 500);
  if (retryable) {
    return new ProviderApiError({
      providerId,
      message,
      isRetryable: true,
      ...(statusCode !== undefined ? { statusCode } : {}),
      ...(code !== undefined ? { code } : {}),
      cause,
    });
  }
  if (statusCode === 401) {
    return new InvalidProviderConfigError({ providerId, field: 'credentials', message, cause });
  }
  const isConfigProblem =
    statusCode === 400 ||
    statusCode === 403 ||
    statusCode === 404 ||
    codes.some((candidate) => /NOT_FOUND|notFound|INVALID|invalid|badRequest|forbidden|PERMISSION/.test(candidate));
  if (isConfigProblem) {
    // A 403 is a missing permission: on a configured resource it quotes (image, network, key), else the account's.
    const quoted = findQuotedField(facts.message, options.fieldValues ?? {});
    const field =
      quoted ??
      (statusCode === 403 && !/not found/i.test(facts.message)
        ? 'credentials'
        : fieldByMessage.find(([pattern]) => pattern.test(facts.message))?.[1]);
    return new InvalidProviderConfigError({ providerId, ...(field ? { field } : {}), message, cause });
  }
  return new ProviderApiError({
    providerId,
    message,
    isRetryable: false,
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(code !== undefined ? { code } : {}),
    cause,
  });
}

/** Facts of a zonal operation that ended in error (DONE with `error.errors`). */
export function readGcpOperationErrorFacts(operation: GcpOperation): GcpErrorFacts | undefined {
  const errors = operation.error?.errors ?? [];
  if (errors.length === 0) return undefined;
  return {
    statusCode: typeof operation.httpErrorStatusCode === 'number' ? operation.httpErrorStatusCode : undefined,
    codes: errors.flatMap((item) => (item.code ? [item.code] : [])),
    message: errors.map((item) => item.message ?? item.code ?? 'operation failed').join('; '),
  };
}

/** The error to throw for a failed call: abort errors and Headroom's errors as they are, others mapped. */
export function toGcpFailure(options: {
  operation: string;
  error: unknown;
  abortSignal: AbortSignal | undefined;
  fieldValues?: Readonly<Record<string, string | undefined>>;
}): unknown {
  const { error } = options;
  if (isGcpAbortError(error, options.abortSignal) || HeadroomError.isInstance(error)) return error;
  return toGcpError({
    operation: options.operation,
    facts: readGcpErrorFacts(error),
    cause: error,
    ...(options.fieldValues ? { fieldValues: options.fieldValues } : {}),
  });
}

/** Runs one API call and maps its failure (abort errors pass through). */
export async function callGcp<T>(options: {
  operation: string;
  abortSignal: AbortSignal | undefined;
  call: () => Promise<T>;
  fieldValues?: Readonly<Record<string, string | undefined>>;
}): Promise<T> {
  try {
    return await options.call();
  } catch (error) {
    throw toGcpFailure({ ...options, error });
  }
}
