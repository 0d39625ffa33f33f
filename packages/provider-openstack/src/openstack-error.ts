import {
  HeadroomError,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { OpenstackHttpError } from './openstack-http.js';

export const OPENSTACK_PROVIDER_ID = 'openstack';
/** The `operation` of Keystone token requests. */
export const KEYSTONE_TOKEN_OPERATION = 'POST identity /auth/tokens';

/** Nova's fault when the scheduler finds no host for the flavor (exhausted capacity). */
export const NO_VALID_HOST_PATTERN = /no valid host was found/i;
const quotaPattern = /quota|limit exceeded|exceeds? (allowed|available)/i;

/** Settings a 400 from Nova points at, by the words of its message. */
const badRequestFields: Array<[RegExp, string]> = [
  [/image/i, 'imageId'],
  [/flavor/i, 'flavor'],
  [/availability zone/i, 'availabilityZone'],
  [/security group/i, 'securityGroups'],
  [/key ?pair|key_name/i, 'keyName'],
  [/network/i, 'networkId'],
  [/volume type/i, 'volumeType'],
];

/**
 * Maps an OpenStack failure to Headroom's errors:
 * - `No valid host was found` → `InsufficientCapacityError`;
 * - 403 mentioning a quota, and 413 (Nova/Cinder `overLimit`) → `QuotaExceededError`;
 * - 429, 5xx, timeouts and unreachable endpoints → retryable `ProviderApiError`;
 * - 400 naming a setting (image, flavor, zone, …) → `InvalidProviderConfigError` for that setting;
 * - anything else → `ProviderApiError` (retryable only by status).
 * Errors that already are Headroom's, and aborts, pass through.
 */
export function mapOpenstackError(error: unknown, context: { operation?: string } = {}): unknown {
  if (HeadroomError.isInstance(error) || !OpenstackHttpError.isInstance(error)) return error;
  const providerId = OPENSTACK_PROVIDER_ID;
  const where = context.operation ?? error.operation;
  const message = `${where}: ${error.message}`;
  const status = error.status;
  if (NO_VALID_HOST_PATTERN.test(error.message)) {
    return new InsufficientCapacityError({ providerId, message, cause: error });
  }
  if (
    (status === 403 && quotaPattern.test(error.message)) ||
    (status === 413 && error.retryAfterSeconds === undefined)
  ) {
    return new QuotaExceededError({ providerId, message, cause: error });
  }
  if (status === 400) {
    const field = badRequestFields.find(([pattern]) => pattern.test(error.message))?.[1];
    if (field) return new InvalidProviderConfigError({ providerId, field, message, cause: error });
  }
  const retryable = status === undefined || status === 413 || status === 429 || status === 408 || status >= 500;
  return new ProviderApiError({
    providerId,
    message,
    ...(status === undefined ? {} : { statusCode: status }),
    code: status === undefined ? (error.timedOut ? 'Timeout' : 'Unreachable') : `HTTP${status}`,
    isRetryable: retryable,
    cause: error,
  });
}

/** Runs an OpenStack call and maps what it throws with `mapOpenstackError`. */
export async function callOpenstack<T>(call: () => Promise<T>, context: { operation?: string } = {}): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapOpenstackError(error, context);
  }
}

/** Keystone refused the credentials: an InvalidProviderConfigError naming the secret setting. */
export function mapKeystoneError(error: unknown, secretField: string): unknown {
  const isTokenIssue = OpenstackHttpError.isInstance(error) && error.operation === KEYSTONE_TOKEN_OPERATION;
  if (isTokenIssue && (error.status === 401 || error.status === 404)) {
    const field = error.status === 404 ? 'identityEndpoint' : secretField;
    return new InvalidProviderConfigError({
      providerId: OPENSTACK_PROVIDER_ID,
      field,
      message:
        error.status === 404
          ? `Keystone answered 404 for ${error.operation}: is identityEndpoint the v3 endpoint?`
          : `Keystone refused the credentials (${error.message})`,
      cause: error,
    });
  }
  return mapOpenstackError(error);
}
