import { DirectoryError, type DirectoryProblem } from '@headroom/core';
import {
  AlreadyExistsError,
  ConfidentialityRequiredError,
  ConstraintViolationError,
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  StrongAuthRequiredError,
  UnwillingToPerformError,
} from 'ldapts';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
]);

function problemOf(error: unknown): { problem: DirectoryProblem; detail: string } {
  if (error instanceof InvalidCredentialsError)
    return { problem: 'authentication', detail: 'bind refused (check bindDn and bindPassword)' };
  if (error instanceof InsufficientAccessError)
    return { problem: 'permission', detail: 'the bind account may not create or delete computer objects here' };
  if (error instanceof NoSuchObjectError)
    return { problem: 'no-such-ou', detail: 'no such object (check computerOuDn)' };
  if (error instanceof ConfidentialityRequiredError || error instanceof StrongAuthRequiredError)
    return { problem: 'rejected', detail: 'the server requires a secured (LDAPS) connection' };
  if (error instanceof ConstraintViolationError || error instanceof UnwillingToPerformError)
    return { problem: 'rejected', detail: 'the directory refused the object or its password (password policy?)' };
  if (error instanceof AlreadyExistsError) return { problem: 'name-taken', detail: 'an object of that name exists' };
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('ERR_TLS') || code.includes('CERT')))
    return { problem: 'unavailable', detail: `cannot reach the server (${code})` };
  if (error instanceof Error && /timeout|timed out|socket|connection|certificate|self.signed|TLS/i.test(error.message))
    return { problem: 'unavailable', detail: 'cannot reach the server (connection, TLS or timeout)' };
  return { problem: 'rejected', detail: 'the directory refused the request' };
}

/**
 * Maps an ldapts or socket error to a `DirectoryError` naming the directory and what was being done.
 * The message never carries attribute values (the password travels only in the add/modify request).
 */
export function mapLdapError(options: { directory: string; action: string; error: unknown }): DirectoryError {
  if (DirectoryError.isInstance(options.error)) return options.error;
  const { problem, detail } = problemOf(options.error);
  return new DirectoryError({
    directory: options.directory,
    problem,
    message: `${options.action}: ${detail}`,
    cause: options.error,
  });
}
