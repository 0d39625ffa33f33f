import { HeadroomError } from './headroom-error.js';

const name = 'DirectoryError';
const marker = `headroom.error.${name}`;
const symbol = Symbol.for(marker);

/** What went wrong talking to a directory (Active Directory over LDAPS). */
export type DirectoryProblem =
  /** The server could not be reached, TLS failed, or the call timed out. */
  | 'unavailable'
  /** The bind was refused (wrong DN or password). */
  | 'authentication'
  /** The bound account may not do this (create or delete computer objects in the OU). */
  | 'permission'
  /** The OU does not exist. */
  | 'no-such-ou'
  /** A computer object of that name exists and Headroom did not create it for this intent. */
  | 'name-taken'
  /** The directory refused the request (password policy, bad attribute, ...). */
  | 'rejected';

/**
 * A directory call failed. The message names the directory config and the object, never a
 * password; `isRetryable` is true for `unavailable`.
 */
export class DirectoryError extends HeadroomError {
  protected readonly [symbol] = true;
  readonly problem: DirectoryProblem;
  /** Id of the LDAP config (`ldapConfigs.<id>`). */
  readonly directory: string;
  readonly isRetryable: boolean;

  constructor(options: { directory: string; problem: DirectoryProblem; message: string; cause?: unknown }) {
    super({ name, message: `[ldap ${options.directory}] ${options.message}`, cause: options.cause });
    this.problem = options.problem;
    this.directory = options.directory;
    this.isRetryable = options.problem === 'unavailable';
  }

  static override isInstance(error: unknown): error is DirectoryError {
    return HeadroomError.hasMarker(error, marker);
  }
}
