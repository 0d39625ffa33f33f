/** A mistake in how the command was called or in the files it was given: exit 2, message only. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
