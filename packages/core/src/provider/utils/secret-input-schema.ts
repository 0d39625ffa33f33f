import { z } from 'zod';

/**
 * A secret setting: inline, `{ env: NAME }` or `{ file: path }` (a relative path resolves next to the
 * config file). Resolved on first use with `resolveSecret`; never logged.
 */
export const secretInputSchema = z.union([
  z.string({ error: 'must be a string, { env: NAME } or { file: path }' }).min(1, { error: 'must not be empty' }),
  z.strictObject({ env: z.string().min(1, { error: 'must name an environment variable' }) }),
  z.strictObject({ file: z.string().min(1, { error: 'must name a file' }) }),
]);
