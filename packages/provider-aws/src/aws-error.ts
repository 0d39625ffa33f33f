import {
  HeadroomError,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { AWS_PROVIDER_ID } from './aws-setting.js';

const insufficientCapacityCodes = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientHostCapacity',
  'InsufficientReservedInstanceCapacity',
  'InsufficientCapacity',
  'InsufficientAddressCapacity',
]);

const quotaCodes = new Set([
  'InstanceLimitExceeded',
  'VcpuLimitExceeded',
  'VolumeLimitExceeded',
  'MaxIOPSLimitExceeded',
  'AddressLimitExceeded',
  'InsufficientFreeAddressesInSubnet',
  'LimitsExceeded',
  'TooManyHostedZones',
  'TooManyRecords',
]);

const retryableCodes = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'PriorRequestNotComplete',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'IncorrectInstanceState',
]);

/** Error code prefix → the setting it points at. */
const configFieldByCodePrefix: readonly (readonly [string, string])[] = [
  ['InvalidAMIID.', 'amiId'],
  ['InvalidSubnetID.', 'subnetId'],
  ['InvalidSubnet', 'subnetId'],
  ['InvalidGroup.', 'securityGroupIds'],
  ['InvalidGroupId.', 'securityGroupIds'],
  ['InvalidSecurityGroupID.', 'securityGroupIds'],
  ['InvalidKeyPair.', 'keyPairName'],
  ['InvalidInstanceType', 'instanceType'],
  ['InvalidBlockDeviceMapping', 'ebsVolumeType'],
  ['InvalidUserData.', 'startupScript'],
  ['NoSuchHostedZone', 'hostedZoneId'],
  ['InvalidClientTokenId', 'accessKeyId'],
  ['AuthFailure', 'accessKeyId'],
  ['SignatureDoesNotMatch', 'secretAccessKey'],
  ['UnrecognizedClientException', 'accessKeyId'],
  ['InvalidParameterCombination', 'configOverride'],
  ['TagLimitExceeded', 'customTags'],
];

/** `InvalidParameterValue` messages name the request member; map that back to the setting. */
const configFieldByMessage: readonly (readonly [RegExp, string])[] = [
  [/iamInstanceProfile|instance profile/i, 'iamInstanceProfile'],
  [/instance ?type/i, 'instanceType'],
  [/user ?data/i, 'startupScript'],
  [/volume ?type|volumeType/i, 'ebsVolumeType'],
  [/volume ?size|volumeSize/i, 'ebsVolumeSizeGb'],
  [/subnet/i, 'subnetId'],
  [/security ?group/i, 'securityGroupIds'],
  [/key ?pair|keyName/i, 'keyPairName'],
  [/\bami\b|image ?id/i, 'amiId'],
];

interface SdkErrorFields {
  name?: unknown;
  message?: unknown;
  Code?: unknown;
  code?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** The AWS error code of an SDK error (`InsufficientInstanceCapacity`, `Throttling`, ...). */
export function getAwsErrorCode(error: unknown): string | undefined {
  if (error == null || typeof error !== 'object') return undefined;
  const fields = error as SdkErrorFields;
  for (const candidate of [fields.Code, fields.name, fields.code]) {
    if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
  }
  return undefined;
}

function getStatusCode(error: object): number | undefined {
  const status = (error as SdkErrorFields).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Whether the error is the rejection of an aborted call (passed through unchanged). */
export function isAwsAbortError(error: unknown, abortSignal: AbortSignal | undefined): boolean {
  if (abortSignal?.aborted && error === abortSignal.reason) return true;
  return error != null && typeof error === 'object' && (error as { name?: unknown }).name === 'AbortError';
}

const networkErrorCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
]);

/**
 * Maps an AWS SDK error to Headroom's error hierarchy, always keeping the SDK error as `cause`.
 * Headroom errors and abort errors are returned unchanged.
 */
export function mapAwsError(options: {
  error: unknown;
  operation: string;
  abortSignal?: AbortSignal | undefined;
}): unknown {
  const { error, operation, abortSignal } = options;
  if (HeadroomError.isInstance(error) || isAwsAbortError(error, abortSignal)) return error;
  if (abortSignal?.aborted) return abortSignal.reason ?? error;
  if (error == null || typeof error !== 'object') {
    return new ProviderApiError({
      providerId: AWS_PROVIDER_ID,
      message: `${operation} failed: ${String(error)}`,
      cause: error,
    });
  }
  const code = getAwsErrorCode(error);
  const statusCode = getStatusCode(error);
  const rawMessage =
    typeof (error as SdkErrorFields).message === 'string' ? ((error as SdkErrorFields).message as string) : '';
  const message = `${operation} failed${code ? ` (${code})` : ''}${rawMessage ? `: ${rawMessage}` : ''}`;
  const providerId = AWS_PROVIDER_ID;

  if (code !== undefined && insufficientCapacityCodes.has(code)) {
    return new InsufficientCapacityError({ providerId, message, cause: error });
  }
  if (code !== undefined && quotaCodes.has(code)) {
    return new QuotaExceededError({ providerId, message, cause: error });
  }
  if (code !== undefined && (retryableCodes.has(code) || networkErrorCodes.has(code))) {
    return new ProviderApiError({
      providerId,
      message,
      code,
      isRetryable: true,
      cause: error,
      ...withStatus(statusCode),
    });
  }
  if (code !== undefined) {
    const byPrefix = configFieldByCodePrefix.find(([prefix]) => code.startsWith(prefix));
    if (byPrefix) return new InvalidProviderConfigError({ providerId, field: byPrefix[1], message, cause: error });
    if (code === 'InvalidParameterValue' || code === 'InvalidParameter' || code === 'Unsupported') {
      const byMessage = configFieldByMessage.find(([pattern]) => pattern.test(rawMessage));
      return new InvalidProviderConfigError({
        providerId,
        ...(byMessage ? { field: byMessage[1] } : code === 'Unsupported' ? { field: 'instanceType' } : {}),
        message,
        cause: error,
      });
    }
    if (code === 'UnauthorizedOperation' || code === 'AccessDenied' || code === 'AccessDeniedException') {
      return new InvalidProviderConfigError({
        providerId,
        message: `${message} (the credentials lack an IAM permission; see the package README for the policy)`,
        cause: error,
      });
    }
  }
  const isServerFault = (error as SdkErrorFields).$fault === 'server';
  return new ProviderApiError({
    providerId,
    message,
    ...(code === undefined ? {} : { code }),
    ...withStatus(statusCode),
    ...(statusCode === undefined && isServerFault ? { isRetryable: true } : {}),
    ...(statusCode === undefined && !isServerFault && code === undefined ? { isRetryable: true } : {}),
    cause: error,
  });
}

function withStatus(statusCode: number | undefined): { statusCode?: number } {
  return statusCode === undefined ? {} : { statusCode };
}

/** Runs one SDK call and maps what it throws. */
export async function callAws<T>(options: {
  operation: string;
  abortSignal?: AbortSignal | undefined;
  call: () => Promise<T>;
}): Promise<T> {
  options.abortSignal?.throwIfAborted();
  try {
    return await options.call();
  } catch (error) {
    throw mapAwsError({ error, operation: options.operation, abortSignal: options.abortSignal });
  }
}
