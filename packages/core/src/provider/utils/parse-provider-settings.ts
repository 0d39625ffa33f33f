import type { z } from 'zod';
import { mapZodIssues } from '../../config/zod-issues.js';
import type { ConfigIssue } from '../../errors/config-error.js';
import { InvalidProviderConfigError } from '../../errors/invalid-provider-config-error.js';

/**
 * Parses an adapter's settings with its schema.
 * @throws InvalidProviderConfigError listing every issue by path (`field` names the first one).
 */
export function parseProviderSettings<Schema extends z.ZodType>(options: {
  schema: Schema;
  settings: unknown;
  providerId: string;
}): z.output<Schema> {
  const result = options.schema.safeParse(options.settings);
  if (result.success) return result.data;
  const issues = mapZodIssues(result.error);
  const first = issues[0];
  throw new InvalidProviderConfigError({
    providerId: options.providerId,
    ...(first?.path ? { field: first.path } : {}),
    message:
      issues.length === 1 && first
        ? first.message
        : issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; '),
    cause: result.error,
  });
}

/** Every issue of settings against an adapter schema, with paths under `pathPrefix`; empty when valid. */
export function checkProviderSettings(options: {
  schema: z.ZodType;
  settings: unknown;
  pathPrefix?: readonly PropertyKey[];
}): ConfigIssue[] {
  const result = options.schema.safeParse(options.settings);
  return result.success ? [] : mapZodIssues(result.error, options.pathPrefix);
}
