import {
  HeadroomError,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { AZURE_PROVIDER_ID } from './azure-setting.js';

/** Codes of a refused allocation: the region/zone has no capacity for the size right now. */
const insufficientCapacityCodes = new Set([
  'SkuNotAvailable',
  'AllocationFailed',
  'ZonalAllocationFailed',
  'OverconstrainedAllocationRequest',
  'OverconstrainedZonalAllocationRequest',
  'AllocationFailedNoCapacity',
]);

const quotaCodes = new Set(['QuotaExceeded', 'PublicIPCountLimitReached', 'NetworkInterfaceCountLimitReached']);

const retryableCodes = new Set([
  'RetryableError',
  'TooManyRequests',
  'SubscriptionRequestsThrottled',
  'ResourceGroupRequestsThrottled',
  'TenantRequestsThrottled',
  'InternalServerError',
  'InternalExecutionError',
  'InternalOperationError',
  'ServerTimeout',
  'GatewayTimeout',
  'ServiceUnavailable',
  'AnotherOperationInProgress',
  'OperationPreempted',
  'Canceled',
  'REQUEST_SEND_ERROR',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Error code → the setting it points at. */
const configFieldByCode: Readonly<Record<string, string>> = {
  ImageNotFound: 'imageReference',
  PlatformImageNotFound: 'imageReference',
  InvalidImageReference: 'imageReference',
  GalleryImageNotFound: 'imageReference',
  GalleryImageVersionNotFound: 'imageReference',
  MarketplacePurchaseEligibilityFailed: 'imageReference',
  VMMarketplaceInvalidInput: 'imageReference',
  ImageVersionDeprecated: 'imageReference',
  InvalidSubnetReference: 'subnet',
  SubnetNotFound: 'subnet',
  InUseSubnetCannotBeDeleted: 'subnet',
  NetworkSecurityGroupNotFound: 'networkSecurityGroup',
  NetworkSecurityGroupNotCompliant: 'networkSecurityGroup',
  ResourceGroupNotFound: 'resourceGroup',
  SubscriptionNotFound: 'subscriptionId',
  InvalidSubscriptionId: 'subscriptionId',
  LocationNotAvailableForResourceType: 'region',
  NoRegisteredProviderFound: 'region',
  InvalidResourceLocation: 'region',
  InvalidLocation: 'region',
  ParentResourceNotFound: 'zoneName',
  OSProvisioningClientError: 'imageReference',
  VMSizeNotSupported: 'vmSize',
  InvalidAuthenticationTokenTenant: 'tenantId',
};

/** `InvalidParameter` messages and `NotFound` resource ids name the part; map that back to the setting. */
const configFieldByMessage: readonly (readonly [RegExp, string])[] = [
  [/\/subnets\/|\bsubnet\b/i, 'subnet'],
  [/networkSecurityGroups|security group/i, 'networkSecurityGroup'],
  [/imageReference|\bimage\b|\/galleries\/|\/images\//i, 'imageReference'],
  [/adminUsername|user ?name/i, 'osUsername'],
  [/adminPassword|password/i, 'osPassword'],
  [/publicKeys|ssh/i, 'sshPublicKey'],
  [/customData|custom data/i, 'startupScript'],
  [/diskSizeGB|disk size/i, 'osDiskSizeGb'],
  [/storageAccountType|managedDisk/i, 'osDiskType'],
  [/vmSize|\bsize\b/i, 'vmSize'],
  [/computerName/i, 'isWindows'],
  [/\btags?\b/i, 'tags'],
  [/location|region/i, 'region'],
];

/** Microsoft Entra (AADSTS) sign-in errors → the credential setting at fault. */
const credentialFieldByAadCode: readonly (readonly [RegExp, string])[] = [
  [/AADSTS(7000215|7000222|7000216)/, 'clientSecret'],
  [/AADSTS(700016|700024|7000112)/, 'clientId'],
  [/AADSTS(90002|900023|90072|900021)/, 'tenantId'],
];

interface AzureErrorFields {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  statusCode?: unknown;
  response?: { headers?: { get?: (name: string) => string | undefined } };
}

const failedOperationPattern = /^The long-running operation has failed\. ([A-Za-z0-9_.]+)\. ([\s\S]*)$/;

/** The Azure error code of an SDK error, including failed long-running operations. */
export function getAzureErrorCode(error: unknown): string | undefined {
  if (error == null || typeof error !== 'object') return undefined;
  const fields = error as AzureErrorFields;
  if (typeof fields.code === 'string' && fields.code !== '') return fields.code;
  if (typeof fields.message === 'string') return failedOperationPattern.exec(fields.message)?.[1];
  return undefined;
}

/** The HTTP status of an SDK error, when it has one. */
export function getAzureStatusCode(error: unknown): number | undefined {
  const status = (error as AzureErrorFields | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Whether the error is an Azure "not found" (404, `ResourceNotFound`, `NotFound`). */
export function isAzureNotFound(error: unknown): boolean {
  const code = getAzureErrorCode(error);
  return getAzureStatusCode(error) === 404 || code === 'ResourceNotFound' || code === 'NotFound';
}

function getRetryAfterSeconds(error: object): number | undefined {
  const value = (error as AzureErrorFields).response?.headers?.get?.('retry-after');
  if (value === undefined) return undefined;
  const seconds = Number.parseInt(value, 10);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) : undefined;
}

/** Whether the error is the rejection of an aborted call (passed through unchanged). */
export function isAzureAbortError(error: unknown, abortSignal: AbortSignal | undefined): boolean {
  if (abortSignal?.aborted && error === abortSignal.reason) return true;
  return error != null && typeof error === 'object' && (error as { name?: unknown }).name === 'AbortError';
}

function messageOf(error: object): string {
  const message = (error as AzureErrorFields).message;
  if (typeof message !== 'string') return '';
  return failedOperationPattern.exec(message)?.[2] ?? message;
}

function isQuotaMessage(message: string): boolean {
  return /quota|limit/i.test(message);
}

/**
 * Maps an Azure SDK (or identity) error to Headroom's hierarchy, keeping it as `cause`. Headroom
 * errors and abort errors are returned unchanged.
 */
export function mapAzureError(options: {
  error: unknown;
  operation: string;
  abortSignal?: AbortSignal | undefined;
}): unknown {
  const { error, operation, abortSignal } = options;
  if (HeadroomError.isInstance(error) || isAzureAbortError(error, abortSignal)) return error;
  if (abortSignal?.aborted) return abortSignal.reason ?? error;
  const providerId = AZURE_PROVIDER_ID;
  if (error == null || typeof error !== 'object') {
    return new ProviderApiError({ providerId, message: `${operation} failed: ${String(error)}`, cause: error });
  }
  const code = getAzureErrorCode(error);
  const statusCode = getAzureStatusCode(error);
  const rawMessage = messageOf(error);
  const retryAfterSeconds = getRetryAfterSeconds(error);
  const message = `${operation} failed${code ? ` (${code})` : ''}${rawMessage ? `: ${rawMessage}` : ''}${
    retryAfterSeconds === undefined ? '' : ` (Retry-After ${retryAfterSeconds} s)`
  }`;
  const withCode = code === undefined ? {} : { code };
  const withStatus = statusCode === undefined ? {} : { statusCode };

  if (code !== undefined && insufficientCapacityCodes.has(code)) {
    return new InsufficientCapacityError({ providerId, message, cause: error });
  }
  // Throttling first: Compute answers 429 `OperationNotAllowed` ("too many requests … limit").
  if (
    statusCode === 429 ||
    (statusCode !== undefined && statusCode >= 500) ||
    (code !== undefined && retryableCodes.has(code))
  ) {
    return new ProviderApiError({ providerId, message, ...withCode, ...withStatus, isRetryable: true, cause: error });
  }
  if (code !== undefined && (quotaCodes.has(code) || (code === 'OperationNotAllowed' && isQuotaMessage(rawMessage)))) {
    return new QuotaExceededError({ providerId, message, cause: error });
  }
  const errorName = (error as AzureErrorFields).name;
  if (
    errorName === 'AuthenticationError' ||
    errorName === 'CredentialUnavailableError' ||
    /AADSTS\d+/.test(rawMessage)
  ) {
    const field = credentialFieldByAadCode.find(([pattern]) => pattern.test(rawMessage))?.[1];
    return new InvalidProviderConfigError({ providerId, ...(field ? { field } : {}), message, cause: error });
  }
  if (code !== undefined) {
    const byCode = configFieldByCode[code];
    if (byCode) return new InvalidProviderConfigError({ providerId, field: byCode, message, cause: error });
    if (code === 'AuthorizationFailed' || code === 'LinkedAuthorizationFailed' || statusCode === 403) {
      return new InvalidProviderConfigError({
        providerId,
        message: `${message} (the service principal lacks a permission; see the package README for the role)`,
        cause: error,
      });
    }
    if (code === 'InvalidAuthenticationToken' || code === 'ExpiredAuthenticationToken' || statusCode === 401) {
      return new InvalidProviderConfigError({ providerId, field: 'clientSecret', message, cause: error });
    }
    if (/^Invalid|NotFound$|^BadRequest$|^InvalidParameter$|^LinkedInvalidPropertyId$/.test(code)) {
      const byMessage = configFieldByMessage.find(([pattern]) => pattern.test(rawMessage))?.[1];
      if (byMessage || statusCode === 400) {
        return new InvalidProviderConfigError({
          providerId,
          ...(byMessage ? { field: byMessage } : {}),
          message,
          cause: error,
        });
      }
    }
  }
  return new ProviderApiError({
    providerId,
    message,
    ...withCode,
    ...withStatus,
    // No status: a network failure or an operation that failed without a known code.
    ...(statusCode === undefined ? { isRetryable: code === undefined || retryableCodes.has(code) } : {}),
    cause: error,
  });
}

/** Runs one SDK call and maps what it throws. */
export async function callAzure<T>(options: {
  operation: string;
  abortSignal?: AbortSignal | undefined;
  call: () => Promise<T>;
}): Promise<T> {
  options.abortSignal?.throwIfAborted();
  try {
    return await options.call();
  } catch (error) {
    throw mapAzureError({ error, operation: options.operation, abortSignal: options.abortSignal });
  }
}
