import {
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { callGcp, readGcpErrorFacts, readGcpOperationErrorFacts, toGcpError, toGcpFailure } from './gcp-error.js';

/** A GaxiosError as google-gax's REST transport throws it: the status, and the body as the message. */
function gaxiosError(status: number, body: unknown): Error {
  return Object.assign(new Error(typeof body === 'string' ? body : JSON.stringify(body)), { status, code: status });
}

const googleBody = (code: number, reason: string, message: string, errorInfoReason?: string) => ({
  error: {
    code,
    message,
    errors: [{ message, domain: 'global', reason }],
    ...(errorInfoReason
      ? { details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: errorInfoReason }] }
      : {}),
  },
});

const map = (error: unknown, fieldValues?: Record<string, string>) =>
  toGcpError({
    operation: 'instances.insert',
    facts: readGcpErrorFacts(error),
    cause: error,
    ...(fieldValues ? { fieldValues } : {}),
  });

describe('readGcpErrorFacts', () => {
  test('reads status, reasons and message from a GaxiosError carrying a Google error body', () => {
    const facts = readGcpErrorFacts(
      gaxiosError(403, googleBody(403, 'quotaExceeded', "Quota 'CPUS' exceeded.", 'QUOTA_EXCEEDED')),
    );
    expect(facts).toEqual({
      statusCode: 403,
      codes: ['quotaExceeded', 'QUOTA_EXCEEDED'],
      message: "Quota 'CPUS' exceeded.",
    });
  });

  test('maps a google-gax gRPC status code to its HTTP status', () => {
    const error = Object.assign(new Error('unavailable'), { code: 14, reason: 'SERVICE_DISABLED' });
    expect(readGcpErrorFacts(error)).toEqual({ statusCode: 503, codes: ['SERVICE_DISABLED'], message: 'unavailable' });
  });

  test('reads Node network errors and non-errors', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(readGcpErrorFacts(reset).codes).toEqual(['ECONNRESET']);
    expect(readGcpErrorFacts('boom')).toEqual({ statusCode: undefined, codes: [], message: 'boom' });
  });

  test('reads a DONE operation with errors, and none without', () => {
    expect(
      readGcpOperationErrorFacts({
        status: 'DONE',
        httpErrorStatusCode: 503,
        error: { errors: [{ code: 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS', message: 'no room' }] },
      }),
    ).toEqual({ statusCode: 503, codes: ['ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS'], message: 'no room' });
    expect(readGcpOperationErrorFacts({ status: 'DONE' })).toBeUndefined();
  });
});

describe('toGcpError', () => {
  test('resource pool exhaustion is a capacity error', () => {
    const facts = { statusCode: 503, codes: ['ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS'], message: 'no room' };
    const error = toGcpError({ operation: 'instances.insert', facts, cause: facts });
    expect(InsufficientCapacityError.isInstance(error)).toBe(true);
    expect(error.message).toBe('[gcp] instances.insert failed: no room');
    expect(error.cause).toBe(facts);
  });

  test('QUOTA_EXCEEDED / quotaExceeded is a quota error', () => {
    expect(QuotaExceededError.isInstance(map(gaxiosError(403, googleBody(403, 'quotaExceeded', 'q'))))).toBe(true);
  });

  test.each([
    [gaxiosError(403, googleBody(403, 'rateLimitExceeded', 'Rate Limit Exceeded')), 403, 'rateLimitExceeded'],
    [gaxiosError(403, googleBody(403, 'userRateLimitExceeded', 'slow down')), 403, 'userRateLimitExceeded'],
    [gaxiosError(429, googleBody(429, 'rateLimitExceeded', 'x', 'RATE_LIMIT_EXCEEDED')), 429, 'rateLimitExceeded'],
    [gaxiosError(503, 'Service Unavailable'), 503, undefined],
    [gaxiosError(500, googleBody(500, 'backendError', 'Backend Error')), 500, 'backendError'],
  ])('throttling and 5xx are retryable (%#)', (cause, statusCode, code) => {
    const error = map(cause);
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: true, statusCode, code });
  });

  test('not-found resources name the setting whose value the message quotes, else its words', () => {
    const image = 'projects/ubuntu-os-cloud/global/images/nope';
    const byValue = map(gaxiosError(404, googleBody(404, 'notFound', `The resource '${image}' was not found`)), {
      image,
    });
    expect(InvalidProviderConfigError.isInstance(byValue) && byValue.field).toBe('image');
    const byWords = map(
      gaxiosError(
        400,
        googleBody(400, 'invalid', "Invalid value for field 'resource.networkInterfaces[0].subnetwork': 'x'"),
      ),
    );
    expect(InvalidProviderConfigError.isInstance(byWords) && byWords.field).toBe('subnetwork');
    const kms = map(
      gaxiosError(400, googleBody(400, 'invalid', 'Cloud KMS error when using key projects/p/.../cryptoKeys/k')),
    );
    expect(InvalidProviderConfigError.isInstance(kms) && kms.field).toBe('customerManagedEncryptionKey');
  });

  test('401 and permission errors point at the credentials', () => {
    const unauthenticated = map(gaxiosError(401, googleBody(401, 'authError', 'Invalid Credentials')));
    expect(InvalidProviderConfigError.isInstance(unauthenticated) && unauthenticated.field).toBe('credentials');
    const forbidden = map(
      gaxiosError(403, googleBody(403, 'forbidden', "Required 'compute.instances.create' permission")),
    );
    expect(InvalidProviderConfigError.isInstance(forbidden) && forbidden.field).toBe('credentials');
    const image = 'projects/private-images/global/images/agent';
    const imageForbidden = map(
      gaxiosError(403, googleBody(403, 'forbidden', `Required 'compute.images.useReadOnly' permission for '${image}'`)),
      { image },
    );
    expect(InvalidProviderConfigError.isInstance(imageForbidden) && imageForbidden.field).toBe('image');
  });

  test('anything else is a non-retryable API error', () => {
    const error = map(gaxiosError(412, googleBody(412, 'conditionNotMet', 'precondition')));
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: false, statusCode: 412, code: 'conditionNotMet' });
  });
});

describe('callGcp and toGcpFailure', () => {
  test('abort errors and Headroom errors pass through unchanged', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped');
    controller.abort(reason);
    expect(toGcpFailure({ operation: 'x', error: reason, abortSignal: controller.signal })).toBe(reason);
    const quota = new QuotaExceededError({ providerId: 'gcp', message: 'q' });
    await expect(callGcp({ operation: 'x', abortSignal: undefined, call: () => Promise.reject(quota) })).rejects.toBe(
      quota,
    );
  });
});
