import {
  HeadroomError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { type KubernetesStatus, statusSchema } from './kubevirt-objects.js';

/** HTTP status and `Status` body of a client-node `ApiException`, when the error is one. */
export function readKubernetesError(
  error: unknown,
): { code: number; status: KubernetesStatus | undefined } | undefined {
  if (error == null || typeof error !== 'object') return undefined;
  const { code, body } = error as { code?: unknown; body?: unknown };
  if (typeof code !== 'number' || code < 100 || code > 599) return undefined;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const status = statusSchema.safeParse(parsed);
  return { code, status: status.success ? status.data : undefined };
}

/** Whether the error is an API answer with this HTTP status. */
export function isKubernetesStatus(error: unknown, code: number): boolean {
  return readKubernetesError(error)?.code === code;
}

const networkErrorCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

function isAbort(error: unknown, abortSignal: AbortSignal | undefined): boolean {
  if (abortSignal?.aborted && error === abortSignal.reason) return true;
  return error != null && typeof error === 'object' && (error as { name?: unknown }).name === 'AbortError';
}

/**
 * Maps what client-node throws to Headroom's errors, keeping it as `cause`:
 * 403 `exceeded quota` (ResourceQuota admission) → QuotaExceededError; other 401/403 → the
 * credentials or the RBAC Role (InvalidProviderConfigError); 404 on a namespace or an API group →
 * the setting; 422 `Invalid` → the manifest; 409, 429, 5xx and network errors → retryable
 * ProviderApiError. Messages carry the API's `Status` message, never credentials.
 */
export function mapKubevirtError(options: {
  error: unknown;
  operation: string;
  providerId: string;
  abortSignal?: AbortSignal | undefined;
  /** Setting a 422 points at (`configOverride` when a manifest override is in use). */
  manifestField?: string | undefined;
}): unknown {
  const { error, operation, providerId, abortSignal } = options;
  if (HeadroomError.isInstance(error) || isAbort(error, abortSignal)) return error;
  if (abortSignal?.aborted) return abortSignal.reason ?? error;
  const answer = readKubernetesError(error);
  if (!answer) {
    const code = (error as { code?: unknown } | null)?.code;
    const isNetwork = typeof code === 'string' && networkErrorCodes.has(code);
    return new ProviderApiError({
      providerId,
      message: `${operation} failed: ${isNetwork ? code : error instanceof Error ? error.message : String(error)}`,
      ...(typeof code === 'string' ? { code } : {}),
      isRetryable: true,
      cause: error,
    });
  }
  const { code, status } = answer;
  const reason = status?.reason;
  const detail = status?.message ?? (code === 401 ? 'Unauthorized' : `HTTP ${code}`);
  const message = `${operation} failed (${code}${reason ? ` ${reason}` : ''}): ${detail}`;
  if (code === 403 && /exceeded quota/i.test(detail)) {
    return new QuotaExceededError({ providerId, message, cause: error });
  }
  if (code === 401) {
    return new InvalidProviderConfigError({
      providerId,
      field: 'apiToken',
      message: `${message} (the token or kubeconfig credentials were refused)`,
      cause: error,
    });
  }
  if (code === 403) {
    return new InvalidProviderConfigError({
      providerId,
      message: `${message} (the account lacks a permission; see the RBAC Role in the package README)`,
      cause: error,
    });
  }
  if (code === 404 && /namespaces? "[^"]*" not found/i.test(detail)) {
    return new InvalidProviderConfigError({ providerId, field: 'namespace', message, cause: error });
  }
  if (code === 404 && /could not find the requested resource/i.test(detail)) {
    return new InvalidProviderConfigError({
      providerId,
      message: `${message} (is KubeVirt${operation.includes('DataVolume') ? ' / CDI' : ''} installed?)`,
      cause: error,
    });
  }
  if (code === 422 || (code === 400 && reason === 'BadRequest')) {
    return new InvalidProviderConfigError({
      providerId,
      ...(options.manifestField ? { field: options.manifestField } : {}),
      message,
      cause: error,
    });
  }
  const retryAfterSeconds = status?.details?.retryAfterSeconds;
  return new ProviderApiError({
    providerId,
    message: retryAfterSeconds ? `${message} (retry after ${retryAfterSeconds} s)` : message,
    statusCode: code,
    ...(reason ? { code: reason } : {}),
    cause: error,
  });
}

/** Runs one API call and maps what it throws. */
export async function callKubevirt<T>(options: {
  operation: string;
  providerId: string;
  abortSignal?: AbortSignal | undefined;
  manifestField?: string | undefined;
  call: () => Promise<T>;
}): Promise<T> {
  options.abortSignal?.throwIfAborted();
  try {
    return await options.call();
  } catch (error) {
    throw mapKubevirtError({ ...options, error });
  }
}
