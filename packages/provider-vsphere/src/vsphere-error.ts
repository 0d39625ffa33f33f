import {
  InsufficientCapacityError,
  InvalidProviderConfigError,
  isRetryableStatusCode,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';

export const VSPHERE_PROVIDER_ID = 'vsphere';

/**
 * A vim25 fault as the server reported it: `faultType` is the vSphere fault type without the
 * `Fault` suffix of its detail element (`InvalidLogin`, `NoDiskSpace`, `NotAuthenticated` ...), or
 * `HttpError` (with `statusCode`) when the server answered without a SOAP fault, `NetworkError` when
 * it could not be reached and `TaskTimeout` when a task outlived its timeout.
 * Internal to the package: the client turns it into the core error hierarchy with `mapVsphereFault`.
 */
export class VsphereFault extends Error {
  readonly faultType: string;
  readonly statusCode: number | undefined;

  constructor({ faultType, message, statusCode }: { faultType: string; message: string; statusCode?: number }) {
    super(message);
    this.name = 'VsphereFault';
    this.faultType = faultType;
    this.statusCode = statusCode;
  }
}

const capacityFaults = new Set(['NoDiskSpace', 'OutOfDiskSpace']);
const retryableFaults = new Set([
  'NotAuthenticated',
  'TaskInProgress',
  'ConcurrentAccess',
  'HostCommunication',
  'HostNotConnected',
  'RequestCanceled',
  'SystemError',
  'Timedout',
  'TaskTimeout',
  'NetworkError',
  'GuestOperationsUnavailable',
  'GuestToolsTimeout',
]);

/** Whether the fault says the cluster, host or datastore lacks room for the VM. */
export function isCapacityFault(faultType: string): boolean {
  return faultType.startsWith('Insufficient') || capacityFaults.has(faultType);
}

/**
 * Maps a vSphere fault to the core error hierarchy: `InvalidLogin` and `NoPermission` to
 * `InvalidProviderConfigError`, `NoDiskSpace` and the `Insufficient*` faults to
 * `InsufficientCapacityError`, everything else to `ProviderApiError` with the fault type as `code`.
 */
export function mapVsphereFault(fault: VsphereFault): Error {
  const { faultType } = fault;
  const message = `${faultType}: ${fault.message}`;
  if (faultType === 'InvalidLogin') {
    return new InvalidProviderConfigError({
      providerId: VSPHERE_PROVIDER_ID,
      field: 'username',
      message: `vCenter refused the username or password (${message})`,
      cause: fault,
    });
  }
  if (faultType === 'NoPermission') {
    return new InvalidProviderConfigError({
      providerId: VSPHERE_PROVIDER_ID,
      field: 'username',
      message: `the vCenter account lacks a privilege the adapter needs (${message})`,
      cause: fault,
    });
  }
  if (faultType === 'InvalidGuestLogin' || faultType === 'GuestPermissionDenied') {
    return new InvalidProviderConfigError({
      providerId: VSPHERE_PROVIDER_ID,
      field: 'guestUsername',
      message: `the guest refused the guest username or password (${message})`,
      cause: fault,
    });
  }
  if (faultType === 'NumVirtualCpusExceedsLimit' || faultType === 'NotEnoughLicenses') {
    return new QuotaExceededError({ providerId: VSPHERE_PROVIDER_ID, message, cause: fault });
  }
  if (isCapacityFault(faultType)) {
    return new InsufficientCapacityError({ providerId: VSPHERE_PROVIDER_ID, message, cause: fault });
  }
  return new ProviderApiError({
    providerId: VSPHERE_PROVIDER_ID,
    message,
    code: faultType,
    cause: fault,
    ...(fault.statusCode === undefined ? {} : { statusCode: fault.statusCode }),
    isRetryable:
      retryableFaults.has(faultType) || (faultType === 'HttpError' && isRetryableStatusCode(fault.statusCode)),
  });
}
