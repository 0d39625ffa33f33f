/** The service could not start for a reason outside the command line (store unreachable, ...): exit 1, message only. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
