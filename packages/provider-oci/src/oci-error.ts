import {
  HeadroomError,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';

export const OCI_PROVIDER_ID = 'oci';

interface OciErrorFields {
  statusCode?: unknown;
  serviceCode?: unknown;
  message?: unknown;
}

/** The HTTP status and service code of an SDK error (`OciError`), when it is one. */
export function readOciError(error: unknown): {
  statusCode: number | undefined;
  serviceCode: string | undefined;
  message: string;
} {
  const fields = (error ?? {}) as OciErrorFields;
  return {
    statusCode: typeof fields.statusCode === 'number' ? fields.statusCode : undefined,
    serviceCode: typeof fields.serviceCode === 'string' && fields.serviceCode !== '' ? fields.serviceCode : undefined,
    message: typeof fields.message === 'string' ? fields.message : String(error),
  };
}

/** "Out of host capacity" (500 InternalError with that message): try the next availability domain. */
export function isOciOutOfCapacity(error: unknown): boolean {
  const cause = HeadroomError.isInstance(error) ? (error as Error).cause : error;
  const { statusCode, message } = readOciError(cause);
  return (statusCode === 500 || statusCode === undefined) && /out of host capacity/i.test(message);
}

/** Whether the error is a 404 (`NotAuthorizedOrNotFound`). */
export function isOciNotFound(error: unknown): boolean {
  return readOciError(error).statusCode === 404;
}

const quotaCodes = new Set(['LimitExceeded', 'QuotaExceeded']);

/** 400 messages naming a setting. */
const fieldPatterns: readonly (readonly [RegExp, string])[] = [
  [/shape ?config|ocpus|memory/i, 'flexOcpus'],
  [/\bshape\b/i, 'shape'],
  [/image/i, 'imageOcid'],
  [/subnet/i, 'subnetOcid'],
  [/nsg|network ?security ?group/i, 'networkSecurityGroupOcids'],
  [/availability ?domain/i, 'availabilityDomains'],
  [/boot ?volume ?size|bootVolumeSizeInGBs/i, 'bootVolumeSizeGb'],
  [/vpus/i, 'bootVolumeVpusPerGb'],
  [/baseline/i, 'burstableBaselinePercent'],
  [/user_data|metadata/i, 'startupScript'],
  [/ssh/i, 'sshPublicKey'],
  [/tag/i, 'customTags'],
  [/compartment/i, 'compartmentOcid'],
];

/**
 * Maps an OCI SDK error to Headroom's error hierarchy, the SDK error as `cause`. Headroom errors
 * pass unchanged; an aborted call rejects with the signal's reason.
 */
export function mapOciError(options: {
  error: unknown;
  operation: string;
  abortSignal?: AbortSignal | undefined;
}): unknown {
  const { error, operation, abortSignal } = options;
  if (HeadroomError.isInstance(error)) return error;
  if (abortSignal?.aborted) return abortSignal.reason ?? error;
  const providerId = OCI_PROVIDER_ID;
  const { statusCode, serviceCode, message: apiMessage } = readOciError(error);
  const message = `${operation} failed (${statusCode ?? 'network'}${serviceCode ? ` ${serviceCode}` : ''}): ${apiMessage}`;
  if (isOciOutOfCapacity(error)) return new InsufficientCapacityError({ providerId, message, cause: error });
  if (serviceCode !== undefined && quotaCodes.has(serviceCode)) {
    return new QuotaExceededError({ providerId, message, cause: error });
  }
  if (statusCode === 401) {
    return new InvalidProviderConfigError({
      providerId,
      field: 'privateKey',
      message: `${message} (check userOcid, tenancyOcid, fingerprint and privateKey)`,
      cause: error,
    });
  }
  if (statusCode === 404 || statusCode === 403) {
    return new InvalidProviderConfigError({
      providerId,
      message: `${message} (a wrong OCID, or an IAM policy is missing; see the package README)`,
      cause: error,
    });
  }
  if (statusCode === 400) {
    const field = fieldPatterns.find(([pattern]) => pattern.test(apiMessage))?.[1];
    return new InvalidProviderConfigError({ providerId, ...(field ? { field } : {}), message, cause: error });
  }
  return new ProviderApiError({
    providerId,
    message,
    ...(serviceCode ? { code: serviceCode } : {}),
    ...(statusCode === undefined ? { isRetryable: true } : { statusCode }),
    cause: error,
  });
}

/**
 * Runs one SDK call with a timeout and the abort signal, mapping what it throws. The SDK takes no
 * signal, so an abort or a timeout stops waiting for the call (a launch stays idempotent through
 * its retry token).
 */
export async function callOci<T>(options: {
  operation: string;
  abortSignal?: AbortSignal | undefined;
  timeoutMs: number;
  call: () => Promise<T>;
}): Promise<T> {
  const { abortSignal, operation } = options;
  abortSignal?.throwIfAborted();
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = abortSignal ? AbortSignal.any([abortSignal, timeout]) : timeout;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([options.call(), stopped]);
  } catch (error) {
    if (!abortSignal?.aborted && timeout.aborted && error === timeout.reason) {
      throw new ProviderApiError({
        providerId: OCI_PROVIDER_ID,
        message: `${operation} failed: no answer within ${Math.round(options.timeoutMs / 1000)} s`,
        code: 'TimeoutError',
        isRetryable: true,
        cause: error,
      });
    }
    throw mapOciError({ error, operation, abortSignal });
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
